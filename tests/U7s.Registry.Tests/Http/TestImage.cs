using U7s.Oci;

namespace U7s.Registry.Tests.Http;

internal sealed record TestImage(string Manifest, Digest Digest, byte[] Layer, Digest LayerDigest, byte[] Config, Digest ConfigDigest);
