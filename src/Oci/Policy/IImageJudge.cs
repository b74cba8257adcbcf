namespace U7s.Oci.Policy;

/// <summary>
/// Judges an image the way a node's pull does (containers/image: SPEC §2.4, §2.7, §3.2): the manifest the registry
/// serves for the reference; for an index, each platform manifest it lists (a node checks the one it pulls, never
/// the index itself, so every one of them must pass and the index's own signatures count for nothing); each of
/// those manifests' lookaside signatures; and the node's policy, with the reference as pulled. The loader after a
/// push, the kubeadm preflight, <c>u7s verify</c> and the registry's enforcement all ask this one judge.
/// </summary>
public interface IImageJudge
{
    /// <summary>
    /// The verdict on pulling <paramref name="reference"/> (a tag or a digest; a bare name means <c>:latest</c>).
    /// MUST NOT throw for a missing, unsigned or refused image: those are verdicts with reasons. MUST throw
    /// <see cref="ImageJudgeException"/> when the registry or the signatures cannot be read.
    /// </summary>
    Task<ImageVerdict> JudgeAsync(Reference reference, CancellationToken cancellationToken);

    /// <summary>
    /// Why an image pulled as <paramref name="reference"/> would be refused even with a valid signature by the
    /// primary key <paramref name="signerFingerprint"/> claiming exactly that reference, or null when such a
    /// signature would do. Reads the policy and its keys only, nothing of the image: asked before anything is pushed.
    /// </summary>
    Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken);
}
