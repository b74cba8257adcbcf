using U7s.Loader.Names;
using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>
/// An index entry after every check: its mapped name, the manifests to put (children before the
/// top one) and the blobs they reference.
/// </summary>
internal sealed record ResolvedImage(MappedImage Image, Descriptor Top, IReadOnlyList<ResolvedManifest> Manifests, IReadOnlyList<Digest> Blobs);
