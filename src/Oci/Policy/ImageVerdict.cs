namespace U7s.Oci.Policy;

/// <summary>
/// What <see cref="IImageJudge"/> decided: the digest the registry serves for the reference (null when it serves
/// none), whether a node would pull it, the policy scope that decided (null when the image was not judged), and why
/// not (containers/image's texts; for an index each is prefixed by <c>instance &lt;digest&gt;:</c>).
/// <see cref="Unchecked"/> is true when the image passes only because its scope accepts anything
/// (<c>insecureAcceptAnything</c>): no signature was checked.
/// </summary>
public sealed record ImageVerdict(Digest? Digest, bool IsAccepted, IReadOnlyList<string> Reasons, string? Scope = null, bool Unchecked = false)
{
    /// <summary>Whether the registry serves a manifest for the reference.</summary>
    public bool Exists => Digest is not null;

    /// <summary>
    /// One line: why the image is refused; for an accepted one, null, or the warning that nothing was checked.
    /// </summary>
    public string? Reason => !IsAccepted
        ? string.Join("; ", Reasons)
        : Unchecked ? $"the policy accepts any image in scope {Scope} (insecureAcceptAnything); no signature was checked" : null;

    /// <summary>The verdict when the registry serves no manifest for <paramref name="reference"/>.</summary>
    public static ImageVerdict Missing(Reference reference) => new(null, false, [$"the registry has no manifest for {reference}"]);

    /// <summary>This verdict when the registry serves <paramref name="expected"/>; a refusal naming both digests when it serves another.</summary>
    public ImageVerdict Expecting(Digest expected, Reference reference) =>
        Digest == expected || Digest is null ? this : new ImageVerdict(Digest, false, [$"the registry serves {Digest} for {reference}, not {expected}"], Scope);

    /// <summary><c>accepted (scope …)</c> or <c>rejected (scope …): reason; reason</c>, as <c>u7s verify</c> prints it.</summary>
    public override string ToString()
    {
        var scope = Scope is null ? string.Empty : $" (scope {Scope})";
        return IsAccepted ? $"accepted{scope}" : $"rejected{scope}: {string.Join("; ", Reasons)}";
    }
}
