using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>An uncompressed layer to write, in a local file: the download cache, or a temp file it was decompressed into.</summary>
internal sealed record SavedLayer(Digest Digest, long Size, string Path);
