using U7s.Cluster.Kubeadm;

namespace U7s.Testing;

/// <summary>A registry view for preflight tests: the listed references exist and verify unless marked otherwise.</summary>
public sealed class InMemoryImageVerifier : IImageVerifier
{
    public Dictionary<string, ImageVerification> Images { get; } = new(StringComparer.Ordinal);

    public List<string> PolicyPaths { get; } = [];

    public Task<ImageVerification> VerifyAsync(string reference, string policyPath, CancellationToken cancellationToken)
    {
        PolicyPaths.Add(policyPath);
        return Task.FromResult(Images.TryGetValue(reference, out var result) ? result : new ImageVerification(false, false, "manifest unknown"));
    }
}
