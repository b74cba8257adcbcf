using U7s.Oci;

namespace U7s.Sigstore.Signing;

/// <summary>
/// The outcome of checking one signature blob. <see cref="SignerFingerprint"/> is set once the
/// OpenPGP layer accepted the signature, <see cref="Payload"/> once the payload parsed; a
/// rejection carries the containers/image 5.23 text in <see cref="Reason"/>. <see cref="Content"/>
/// is the signed payload as bytes once the OpenPGP layer accepted it. An accepted blob may carry
/// <see cref="TrailingBytes"/> after its signed message, which gpgme ignores too.
/// </summary>
public sealed record SignatureCheck(bool IsAccepted, string? SignerFingerprint, SignaturePayload? Payload, string? Reason, long TrailingBytes = 0, byte[]? Content = null, bool Unreadable = false)
{
    public string? Identity => Payload?.DockerReference;

    public Digest? ManifestDigest => Payload?.ManifestDigest;
}
