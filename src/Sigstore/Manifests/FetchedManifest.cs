using U7s.Oci;

namespace U7s.Sigstore.Manifests;

/// <summary>Manifest bytes as served, their media type and their sha256 digest.</summary>
public sealed record FetchedManifest(byte[] Content, string? MediaType, Digest Digest);
