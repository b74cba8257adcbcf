using U7s.Oci;

namespace U7s.Security.Writers;

/// <summary>Which authenticated users may push to and delete from which repositories.</summary>
public interface IWriteAccess
{
    /// <summary>True when <paramref name="user"/> may push, tag and delete in <paramref name="repository"/>.</summary>
    Task<bool> MayWriteAsync(string user, RepositoryName repository, CancellationToken cancellationToken);
}
