using U7s.Oci;

namespace U7s.Registry.Auth;

/// <summary>The default write rule without a configured one: no remote user may write.</summary>
internal sealed class NoWriters : IWriteAccess
{
    public Task<bool> MayWriteAsync(string user, RepositoryName repository, CancellationToken cancellationToken) => Task.FromResult(false);
}
