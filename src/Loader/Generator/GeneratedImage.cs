using U7s.Oci;

namespace U7s.Loader.Generator;

/// <summary>An image written by the generator: its ref name, manifest digest and blobs.</summary>
internal sealed record GeneratedImage(string RefName, Digest ManifestDigest, long ManifestSize, Digest ConfigDigest, IReadOnlyList<Digest> Layers);
