namespace U7s.Oci;

/// <summary>
/// One change a store committed: raised after it is visible to readers, once per change. <paramref name="Repository"/>
/// is null only for <see cref="StoreChangeKind.BlobCommitted"/> (content is shared by every repository);
/// <paramref name="Tag"/> is set for the tag kinds only.
/// </summary>
public sealed record StoreChange(StoreChangeKind Kind, RepositoryName? Repository, Digest? Digest, Tag? Tag = null);
