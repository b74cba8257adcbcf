using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>One image ready to write: manifest and config bytes and its layers.</summary>
internal sealed record PreparedImage(string RefName, Digest ManifestDigest, byte[] Manifest, Digest ConfigDigest, byte[] Config, IReadOnlyList<SavedLayer> Layers, bool Rewritten);
