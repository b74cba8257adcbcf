using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Manifests;

/// <summary>A manifest as stored: its digest, the media type it was pushed with, and its bytes.</summary>
internal sealed record StoredManifest(Digest Digest, string MediaType, BlobContent Content);
