using U7s.Oci;
using U7s.Oci.Policy;

namespace U7s.Testing;

/// <summary>A registry view for preflight tests: only the listed references exist, each with the verdict set for it.</summary>
public sealed class InMemoryImageJudge : IImageJudge
{
    /// <summary>What an accepted image's manifest digest is said to be.</summary>
    public static readonly Digest SomeDigest = Digest.Compute("an image"u8);

    /// <summary>Verdicts by the reference as the preflight names it (<c>registry.local/k8s-c10f1/pause:3.9</c>).</summary>
    public Dictionary<string, ImageVerdict> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>Every reference judged, in order.</summary>
    public List<string> Judged { get; } = [];

    public static ImageVerdict Accepted => new(SomeDigest, true, []);

    public static ImageVerdict Refused(string reason) => new(SomeDigest, false, [reason]);

    public Task<ImageVerdict> JudgeAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Judged.Add(reference.ToString());
        return Task.FromResult(Images.TryGetValue(reference.ToString(), out var verdict) ? verdict : ImageVerdict.Missing(reference));
    }

    public Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);
}
