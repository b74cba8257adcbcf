namespace U7s.Oci.Policy;

/// <summary>
/// One requirement of a scope. For <see cref="RequirementType.SignedBy"/> exactly one of
/// <see cref="KeyPaths"/> (from <c>keyPath</c> or <c>keyPaths</c>) and <see cref="KeyData"/> is set.
/// </summary>
public sealed record PolicyRequirement(
    RequirementType Type,
    string? KeyType = null,
    IReadOnlyList<string>? KeyPaths = null,
    byte[]? KeyData = null,
    SignedIdentity? Identity = null)
{
    public static PolicyRequirement InsecureAcceptAnything { get; } = new(RequirementType.InsecureAcceptAnything);

    public static PolicyRequirement Reject { get; } = new(RequirementType.Reject);
}
