using U7s.Loader.Names;
using U7s.Loader.Signing;
using U7s.Oci;
using U7s.Oci.Policy;

namespace U7s.Loader.Loading;

/// <summary>One image published by a load: where, which digest, and what signing and verification said.</summary>
internal sealed record LoadedImage(MappedImage Image, Digest Digest, string MediaType, SignatureResult? Signature, ImageVerdict? Verification);
