using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>
/// An uncompressed layer to write: either still in the source registry (streamed and verified at
/// write time) or decompressed into a temp file.
/// </summary>
internal sealed record SavedLayer(Digest Digest, long Size, RepositoryName? SourceRepository, string? TempPath);
