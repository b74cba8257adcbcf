namespace U7s.Sigstore.Policy;

/// <summary>
/// The decision for one image: allowed or not, the scope whose requirements decided, and the
/// reason of every failed requirement (containers/image texts, e.g.
/// <c>A signature was required, but no signature exists</c>). <see cref="AcceptsAnything"/> is true
/// when that scope's requirements are all <c>insecureAcceptAnything</c>: "allowed" then says nothing
/// about signatures.
/// </summary>
public sealed record PolicyVerdict(bool IsAllowed, string Scope, IReadOnlyList<string> Reasons, bool AcceptsAnything = false)
{
    public override string ToString() =>
        IsAllowed ? $"accepted (scope {Scope})" : $"rejected (scope {Scope}): {string.Join("; ", Reasons)}";
}
