using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>One image written into an archive; Rewritten: its layers were decompressed, so the manifest is new.</summary>
internal sealed record SavedImage(string Architecture, string RefName, Digest ManifestDigest, bool Rewritten);
