using U7s.Oci;

namespace U7s.Registry.Manifests;

/// <summary>A descriptor inside a manifest, parsed: the digest is valid and the size non-negative.</summary>
internal sealed record ManifestReference(string MediaType, Digest Digest, long Size);
