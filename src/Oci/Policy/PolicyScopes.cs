namespace U7s.Oci.Policy;

/// <summary>Scope lookup for the <c>docker</c> transport (SPEC §3.2, containers/image <c>docker/policyconfiguration</c>).</summary>
public static class PolicyScopes
{
    /// <summary>
    /// Candidate scopes, most specific first: the full reference, <c>host/ns/repo</c>, each parent
    /// namespace, <c>host[:port]</c>, then <c>*.b.c</c> wildcards of the host without its port.
    /// The transport-wide <c>""</c> and <c>default</c> come after these.
    /// </summary>
    public static IReadOnlyList<string> For(DockerReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var scopes = new List<string> { reference.ToString() };
        var name = reference.Name;
        while (true)
        {
            scopes.Add(name);
            var slash = name.LastIndexOf('/');
            if (slash < 0)
            {
                break;
            }

            name = name[..slash];
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon];
        }

        while (name.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0)
        {
            name = name[(dot + 1)..];
            scopes.Add("*." + name);
        }

        return scopes;
    }

    /// <summary>The <c>remapIdentity</c> prefix rule: equal, or followed by <c>/</c>, <c>:</c> or <c>@</c>.</summary>
    public static bool MatchesPrefix(string reference, string prefix)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(prefix);
        if (reference.Length < prefix.Length || !reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return reference.Length == prefix.Length || reference[prefix.Length] is '/' or ':' or '@';
    }
}
