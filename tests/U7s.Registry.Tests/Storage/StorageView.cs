using U7s.Registry.Storage;

namespace U7s.Registry.Tests.Storage;

/// <summary>One process's view of a storage backend.</summary>
public sealed record StorageView(IBlobStore Blobs, IMetadataStore Metadata, IRegistryLock Lock);
