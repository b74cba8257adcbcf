using U7s.Oci;

namespace U7s.Loader.Signing;

/// <summary>
/// Verifies a pushed image the way a node pulls it: manifest as served, signatures from the
/// lookaside store, node policy (SPEC §2.1 verification order, §3.2).
/// </summary>
internal interface IImageVerifier
{
    /// <summary>
    /// Returns Accepted when at least one stored signature for <paramref name="manifestDigest"/>
    /// verifies with a trusted key and claims <paramref name="reference"/>; otherwise a result with
    /// the containers/image style reason. MUST NOT throw for a rejected image, only for I/O failures.
    /// </summary>
    Task<VerificationResult> VerifyAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken);

    /// <summary>
    /// Called before anything is published: why an image pulled as <paramref name="reference"/> would
    /// be rejected even once signed by the primary key <paramref name="signerFingerprint"/> for
    /// exactly that reference (policy keys unreadable, a reject requirement, a key or identity the
    /// policy does not trust), or null when such a signature would be accepted. MUST NOT read the
    /// registry or the signature store: nothing is there yet.
    /// </summary>
    Task<string?> ProblemBeforeSigningOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken);
}
