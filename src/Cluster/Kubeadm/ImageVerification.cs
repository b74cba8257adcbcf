namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Result of checking one image: whether the registry has it and whether a signature verifies under
/// the node policy; <paramref name="Problem"/> is the one-line reason when either is false.
/// </summary>
public sealed record ImageVerification(bool Exists, bool Verified, string? Problem = null)
{
    public static ImageVerification Ok { get; } = new(true, true);
}
