namespace U7s.Cluster.Kubeadm;

/// <summary>Checks required images in the local registry against the node's signature policy.</summary>
public interface IImageVerifier
{
    /// <summary>
    /// Contract: for the fully explicit <paramref name="reference"/> (<c>registry.local/k8s-c10f1/pause:3.9</c>)
    /// MUST report <see cref="ImageVerification.Exists"/> = true only if the registry serves its
    /// manifest, and <see cref="ImageVerification.Verified"/> = true only if that manifest passes the
    /// policy file <paramref name="policyPath"/> (a host path) exactly as a node pull would: a
    /// signature by a trusted key for that exact reference and digest (SPEC §2.1, §3.2). MUST NOT throw
    /// for a missing or unsigned image (report it); MAY throw when the registry cannot be reached.
    /// </summary>
    Task<ImageVerification> VerifyAsync(string reference, string policyPath, CancellationToken cancellationToken);
}
