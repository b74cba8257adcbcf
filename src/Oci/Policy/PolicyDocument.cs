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

    /// <summary>Every requirement: <c>default</c>, then each scope of each transport.</summary>
    public IEnumerable<PolicyRequirement> AllRequirements() =>
        Default.Concat(Transports.Values.SelectMany(scopes => scopes.Values.SelectMany(r => r)));

    /// <summary>This policy with every key path replaced by <paramref name="map"/> of it (e.g. into a staging root); all else as it was.</summary>
    public PolicyDocument WithKeyPaths(Func<string, string> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        IReadOnlyList<PolicyRequirement> MapAll(IReadOnlyList<PolicyRequirement> requirements) =>
            requirements.Select(r => r.KeyPaths is null ? r : r with { KeyPaths = r.KeyPaths.Select(map).ToList() }).ToList();
        var transports = Transports.ToDictionary(
            t => t.Key,
            t => (IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>)t.Value.ToDictionary(s => s.Key, s => MapAll(s.Value), StringComparer.Ordinal),
            StringComparer.Ordinal);
        return this with { Default = MapAll(Default), Transports = transports };
    }
}
