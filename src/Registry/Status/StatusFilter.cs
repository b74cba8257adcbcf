namespace U7s.Registry.Status;

/// <summary>
/// Which images to show: repositories whose name contains <see cref="Repository"/>, images with a
/// signature whose signer user id or fingerprint contains <see cref="Signer"/> (both ignoring case;
/// null or empty shows all).
/// </summary>
public sealed record StatusFilter(string? Repository = null, string? Signer = null)
{
    public bool MatchesRepository(string repository) =>
        string.IsNullOrEmpty(Repository) || repository.Contains(Repository, StringComparison.OrdinalIgnoreCase);

    public bool MatchesSigner(ImageStatus image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return string.IsNullOrEmpty(Signer) || image.Signatures.Any(s =>
            (s.Signer?.Contains(Signer, StringComparison.OrdinalIgnoreCase) ?? false)
            || (s.Fingerprint?.Contains(Signer, StringComparison.OrdinalIgnoreCase) ?? false));
    }
}
