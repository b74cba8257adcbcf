using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>Manifest bytes exactly as in the archive, with the descriptor's media type.</summary>
internal sealed record ResolvedManifest(Digest Digest, string MediaType, byte[] Content);
