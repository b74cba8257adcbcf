using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Security.Signers;

namespace U7s.Security.Writers;

/// <summary>
/// Who may push to a repository: users named in <c>Registry:Auth:Writers</c> (<paramref name="writers"/>) for a
/// path prefix (<c>*</c> for all), and every imagemaker for the paths the authorization file lets them sign
/// (<c>u7s create-imagemakeruser user@path</c>), images named under <paramref name="scopeHost"/> as nodes pull
/// them, so signing and pushing rights are one list.
/// </summary>
public sealed class RegistryWriteAccess(IReadOnlyDictionary<string, string[]> writers, string scopeHost, SignerScopes scopes) : IWriteAccess
{
    public async Task<bool> MayWriteAsync(string user, RepositoryName repository, CancellationToken cancellationToken)
    {
        if (writers.TryGetValue(user, out var prefixes) && prefixes.Any(p => Covers(p, repository.Value)))
        {
            return true;
        }

        var identity = new DockerReference(scopeHost, repository.Value, "latest", null);
        return await scopes.MaySignAsync(user, identity, cancellationToken);
    }

    private static bool Covers(string prefix, string repository)
    {
        var trimmed = prefix.Trim('/');
        return trimmed == "*" || repository == trimmed || repository.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }
}
