namespace U7s.Registry.Auth;

/// <summary>Checks a user's password (htpasswd in production). The registry never stores passwords itself.</summary>
public interface ICredentialValidator
{
    /// <summary>Whether any users are configured; without them, writes are accepted from this host only.</summary>
    bool HasUsers { get; }

    /// <summary>True when <paramref name="password"/> is the user's.</summary>
    Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken);
}
