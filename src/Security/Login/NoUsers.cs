namespace U7s.Security.Login;

/// <summary>The default when no user file is configured: nobody can log in, so writes come from this host only (and :81 takes no uploads).</summary>
public sealed class NoUsers : ICredentialValidator
{
    public bool HasUsers => false;

    public Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken) => Task.FromResult(false);

    public bool IsRemembered(string user, string password) => false;
}
