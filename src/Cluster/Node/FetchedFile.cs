namespace U7s.Cluster.Node;

/// <summary>One file downloaded from the signature store's <c>/keys/</c> directory.</summary>
public sealed record FetchedFile(string Name, byte[] Content);
