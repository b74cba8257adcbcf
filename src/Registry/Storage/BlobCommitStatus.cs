namespace U7s.Registry.Storage;

public enum BlobCommitStatus
{
    /// <summary>The content is now stored.</summary>
    Created,

    /// <summary>The same content was already stored; nothing changed.</summary>
    AlreadyExists,
}
