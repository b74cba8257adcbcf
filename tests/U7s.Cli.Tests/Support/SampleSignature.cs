using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;

namespace U7s.Cli.Tests.Support;

/// <summary>Simple-signing signatures by the sample signer key.</summary>
internal static class SampleSignature
{
    /// <summary>A signature of <paramref name="identity"/> → <paramref name="digest"/>, as a PUT body for :81.</summary>
    public static ByteArrayContent Content(string identity, Digest digest)
    {
        var payload = new SignaturePayload(identity, digest, "u7s test", DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToJsonBytes();
        return new ByteArrayContent(new BouncyCastleOpenPgp().Sign(payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow));
    }
}
