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
}
