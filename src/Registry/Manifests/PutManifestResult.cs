using U7s.Oci;

namespace U7s.Registry.Manifests;

internal sealed record PutManifestResult(Digest Digest, Digest? Subject);
