using U7s.Oci;

namespace U7s.Security.Writers;

/// <summary>The default write rule without a configured one: no remote user may write.</summary>
public sealed class NoWriters : IWriteAccess
{
    public Task<bool> MayWriteAsync(string user, RepositoryName repository, CancellationToken cancellationToken) => Task.FromResult(false);
}
