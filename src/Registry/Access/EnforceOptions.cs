namespace U7s.Registry.Access;

/// <summary>
/// Signature enforcement on manifest reads, bound from <c>Registry:Enforce</c>: a node policy.json
/// (containers-policy.json(5), as <c>/etc/containers/policy.json</c>) evaluated for every manifest GET
/// and HEAD, with the images named under <see cref="Auth.AuthOptions.ScopeHost"/>.
/// </summary>
public sealed class EnforceOptions
{
    /// <summary><c>off</c> (default), <c>warn</c> or <c>enforce</c>.</summary>
    public EnforceMode Mode { get; set; } = EnforceMode.Off;

    /// <summary>The policy file; required unless <see cref="Mode"/> is off (then it only feeds the status page).</summary>
    public string? Policy { get; set; }

    /// <summary>
    /// The bound on how long a cached verdict may miss a change made outside this process: a signature
    /// written to or deleted from the tree by <c>u7s sign</c>, the loader or another replica, or a changed
    /// policy or key file. Changes made through this process's signature store apply at once.
    /// </summary>
    public TimeSpan RecheckAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Returns every problem with these options, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (Mode != EnforceMode.Off && string.IsNullOrWhiteSpace(Policy))
        {
            yield return $"Registry:Enforce:Mode {Mode.ToString().ToLowerInvariant()} needs Registry:Enforce:Policy (a policy.json)";
        }

        if (Policy is not null && !Path.IsPathFullyQualified(Policy))
        {
            yield return $"Registry:Enforce:Policy '{Policy}' must be an absolute path";
        }

        if (RecheckAfter <= TimeSpan.Zero || RecheckAfter > TimeSpan.FromHours(1))
        {
            yield return $"Registry:Enforce:RecheckAfter {RecheckAfter} must be positive and at most 01:00:00";
        }
    }
}
