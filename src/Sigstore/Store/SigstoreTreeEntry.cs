namespace U7s.Sigstore.Store;

/// <summary>One name in a directory of the served tree; <see cref="Length"/> is null for directories.</summary>
public sealed record SigstoreTreeEntry(string Name, bool IsDirectory, DateTimeOffset LastModified, long? Length);
