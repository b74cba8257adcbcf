namespace U7s.Registry.Auth;

/// <summary>Access rules of the registry port, bound from <c>Registry:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Nodes pull without credentials, as on podsec; false makes every read need a valid user.</summary>
    public bool AnonymousPull { get; set; } = true;

    /// <summary>Failed logins from one address allowed per <see cref="FailedLoginWindow"/> before 429 answers.</summary>
    public int MaxFailedLogins { get; set; } = 10;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>htpasswd file (bcrypt) of the users who may log in; without it, writes come from this host only.</summary>
    public string? Htpasswd { get; set; }

    /// <summary>Users allowed to push and delete, each with repository path prefixes (<c>*</c> for all), besides imagemakers.</summary>
    public Dictionary<string, string[]> Writers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The registry name in node policies (<c>registry.local</c>): imagemaker scopes are matched under it.</summary>
    public string ScopeHost { get; set; } = "registry.local";

    /// <summary>The realm named in <c>WWW-Authenticate</c>.</summary>
    public string Realm { get; set; } = "u7s";
}
