
using U7s.Security.Signers;

namespace U7s.Registry.Auth;

/// <summary>Access rules of the registry port, bound from <c>Registry:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Nodes pull without credentials, as on podsec; false makes every read need a valid user.</summary>
    public bool AnonymousPull { get; set; } = true;

    /// <summary>Failed logins of one user from one client address allowed per <see cref="FailedLoginWindow"/> before that pair gets 429 (both ports).</summary>
    public int MaxFailedLogins { get; set; } = 10;

    /// <summary>
    /// Failed logins from one client address (IPv6: its /64), whatever the user names, allowed per
    /// <see cref="FailedLoginWindow"/> before that address gets 429 without a password check (both ports);
    /// a user and password verified a moment ago (remembered, no check needed) still pass.
    /// </summary>
    public int MaxFailedLoginsPerAddress { get; set; } = 30;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>htpasswd file (bcrypt) of the users who may log in; without it, writes come from this host only. Set but missing stops the start.</summary>
    public string? Htpasswd { get; set; }

    /// <summary>
    /// The root-owned authorization file imagemakers' push and signing rights come from (scopes and
    /// public keys, written by <c>u7s create-imagemakeruser</c>); never the served <c>keys/</c>, which
    /// imagemakers can write. On S3 storage the bucket's <c>authz/signers.json</c> takes its place.
    /// </summary>
    public string Signers { get; set; } = SignersDocument.DefaultPath;

    /// <summary>Users allowed to push and delete, each with repository path prefixes (<c>*</c> for all), besides imagemakers.</summary>
    public Dictionary<string, string[]> Writers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The registry name in node policies (<c>registry.local</c>): imagemaker scopes are matched under it.</summary>
    public string ScopeHost { get; set; } = "registry.local";

    /// <summary>The realm named in <c>WWW-Authenticate</c>.</summary>
    public string Realm { get; set; } = "u7s";
}
