namespace U7s.Oci.Policy;

/// <summary>
/// A parsed <c>policy.json</c> (containers-policy.json(5), SPEC §3.2): the <c>default</c>
/// requirements and, per transport, requirements per scope.
/// </summary>
public sealed record PolicyDocument(
    IReadOnlyList<PolicyRequirement> Default,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>> Transports)
{
    /// <summary>
    /// The requirements that decide for <paramref name="reference"/> under the <c>docker</c> transport
    /// and the scope they came from: first hit of <see cref="PolicyScopes.For"/>, then the
    /// transport's <c>""</c> scope, then <c>default</c>. Nothing merges.
    /// </summary>
    public (string Scope, IReadOnlyList<PolicyRequirement> Requirements) RequirementsFor(DockerReference reference)
    {
        if (Transports.TryGetValue("docker", out var scopes))
        {
            foreach (var scope in PolicyScopes.For(reference))
            {
                if (scopes.TryGetValue(scope, out var requirements))
                {
                    return (scope, requirements);
                }
            }

            if (scopes.TryGetValue(string.Empty, out var transportDefault))
            {
                return ("docker:\"\"", transportDefault);
            }
        }

        return ("default", Default);
    }
}
