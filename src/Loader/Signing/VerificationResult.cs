namespace U7s.Loader.Signing;

/// <summary>Outcome of verifying one image; Reason explains a rejection, or warns about an acceptance that checked no signature.</summary>
internal sealed record VerificationResult(bool Accepted, string? Reason)
{
    public static VerificationResult Ok { get; } = new(true, null);

    public static VerificationResult Rejected(string reason) => new(false, reason);
}
