namespace U7s.Cluster.Files;

/// <summary>What a node-file write did.</summary>
public enum FileChangeKind
{
    /// <summary>The live content already matched: nothing was written.</summary>
    Unchanged,

    /// <summary>The file did not exist before.</summary>
    Created,

    /// <summary>The file existed with other content and was replaced.</summary>
    Updated,
}
