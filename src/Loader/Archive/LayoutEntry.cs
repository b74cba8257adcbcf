using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// A layout file of the selected architecture. <see cref="Data"/> is the tar entry's own stream:
/// valid only until the handler returns (the reader then moves to the next entry).
/// </summary>
internal sealed record LayoutEntry(LayoutEntryKind Kind, string Path, long Length, Stream Data, Digest? BlobDigest);
