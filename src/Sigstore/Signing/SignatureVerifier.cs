using U7s.Oci;
using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Signing;

/// <summary>
/// Checks one simple-signing blob in the order of SPEC §2.1: OpenPGP check, signer among the trusted
/// primary keys, strict payload parse, digest match, identity match. Reasons use 5.23's texts.
/// </summary>
public sealed class SignatureVerifier(IOpenPgp openPgp, TimeProvider time)
{
    /// <summary>
    /// Checks <paramref name="signature"/> for the manifest <paramref name="manifestDigest"/>;
    /// <paramref name="identityAccepted"/> decides whether the signed <c>docker-reference</c> fits the
    /// image (a policy's <c>signedIdentity</c>). The OpenPGP work is bounded and stops when
    /// <paramref name="cancellationToken"/> fires (<see cref="OperationCanceledException"/>).
    /// </summary>
    public SignatureCheck Check(ReadOnlySpan<byte> signature, TrustedKeyring trusted, Digest manifestDigest, Func<string, bool> identityAccepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(identityAccepted);
        var result = openPgp.Verify(signature, trusted.Keyrings, time.GetUtcNow(), cancellationToken);
        if (!result.IsValid)
        {
            return new SignatureCheck(false, null, null, result.Error, Unreadable: result.Unreadable);
        }

        var signer = result.SignerFingerprint!;
        var content = result.Content;
        if (!trusted.PrimaryFingerprints.Contains(signer))
        {
            return new SignatureCheck(false, signer, null, $"Signature by key {signer} is not accepted", Content: content);
        }

        if (!SignaturePayloadParser.TryParse(content, out var payload, out var error))
        {
            return new SignatureCheck(false, signer, null, error, Content: content);
        }

        if (payload.ManifestDigest != manifestDigest)
        {
            return new SignatureCheck(false, signer, payload, $"Signature for digest {payload.ManifestDigest} does not match", Content: content);
        }

        if (!identityAccepted(payload.DockerReference))
        {
            return new SignatureCheck(false, signer, payload, $"Signature for identity {payload.DockerReference} is not accepted", Content: content);
        }

        return new SignatureCheck(true, signer, payload, null, result.TrailingBytes, content);
    }
}
