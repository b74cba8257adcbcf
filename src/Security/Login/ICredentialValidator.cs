namespace U7s.Security.Login;

/// <summary>Checks a user's password (htpasswd in production). The registry never stores passwords itself.</summary>
public interface ICredentialValidator
{
    /// <summary>Whether logins are configured at all; without them, writes are accepted from this host only.</summary>
    bool HasUsers { get; }

    /// <summary>
    /// True when <paramref name="password"/> is the user's. MUST cost the same work for a user that does
    /// not exist as for a wrong password, so the answer time does not tell which names are users.
    /// </summary>
    Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="password"/> is known to be the user's without the expensive check (it
    /// checked out a moment ago and nothing changed since); false when that would take a check. MUST cost
    /// next to nothing: it is asked where checks are not affordable.
    /// </summary>
    bool IsRemembered(string user, string password);
}
