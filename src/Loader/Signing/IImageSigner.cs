using U7s.Oci;

namespace U7s.Loader.Signing;

/// <summary>
/// Signs pushed images with containers/image simple signing (SPEC §2): payload of §2.1 as a
/// binary OpenPGP signed message (§2.2), stored in the lookaside tree at the next free
/// <c>signature-N</c> of <c>&lt;repo&gt;@sha256=&lt;hex&gt;</c> (§2.4).
/// </summary>
internal interface IImageSigner
{
    /// <summary>
    /// Checks that the signer key can be used now (present, primary key can sign, not expired or
    /// revoked, passphrase works), SPEC §1.5 row 13. Called once before anything is pushed; MUST
    /// throw with a one-line reason otherwise. Returns the key's primary fingerprint and a
    /// description of the signer (e-mail and fingerprint) for the report.
    /// </summary>
    Task<PreparedSigner> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Signs <paramref name="reference"/> (fully explicit <c>host/repo:tag</c>, the identity nodes pull)
    /// for <paramref name="manifestDigest"/> (the digest of the manifest bytes the registry serves).
    /// MUST append rather than overwrite, and MUST NOT add a second signature when an identical claim
    /// by the same key is already stored (re-runs are idempotent, §2.4); it then returns that index.
    /// </summary>
    Task<SignatureResult> SignAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken);
}
