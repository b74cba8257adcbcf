using U7s.Oci;

namespace U7s.Loader.Registry;

/// <summary>Manifest bytes as served, their media type, and their digest (computed from the bytes).</summary>
internal sealed record ManifestResponse(byte[] Content, string MediaType, Digest Digest);
