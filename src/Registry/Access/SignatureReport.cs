namespace U7s.Registry.Access;

/// <summary>
/// The node policy's verdict on pulling one image, and its stored signatures. <see cref="RequiresSignature"/>
/// is false when the policy accepts the image without one (an <c>insecureAcceptAnything</c> scope):
/// enforcement has nothing to check there.
/// </summary>
/// <param name="Scope">The policy scope that decided (e.g. <c>registry.local/app</c>, <c>default</c>).</param>
/// <param name="Reasons">Why the policy refuses the image; empty when it is allowed.</param>
public sealed record SignatureReport(bool IsAllowed, bool RequiresSignature, string Scope, IReadOnlyList<string> Reasons, IReadOnlyList<SignatureStatus> Signatures)
{
    /// <summary>The report when no policy is configured: nothing is judged.</summary>
    public static SignatureReport NoPolicy { get; } = new(true, false, string.Empty, [], []);

    /// <summary>One line: <c>accepted (scope …)</c> or <c>refused (scope …): reason; reason</c>.</summary>
    public string Summary => Scope.Length == 0
        ? "no policy"
        : IsAllowed ? $"accepted (scope {Scope})" : $"refused (scope {Scope}): {string.Join("; ", Reasons)}";
}
