namespace U7s.Registry.Auth;

/// <summary>The default when no user file is configured: nobody can log in, so writes come from this host only.</summary>
internal sealed class NoUsers : ICredentialValidator
{
    public bool HasUsers => false;

    public Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken) => Task.FromResult(false);
}
