using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Registry.Auth;
using U7s.Security.Signers;
using U7s.Security.Writers;

namespace U7s.Cli.Hosting;

/// <summary>
/// Who may push to a repository: users named in <c>Registry:Auth:Writers</c> for a path prefix
/// (<c>*</c> for all), and every imagemaker for the paths the published <c>keys/policy.json</c> lets
/// them sign (<c>u7s create-imagemakeruser user@path</c>), so signing and pushing rights are one list.
/// </summary>
internal sealed class RegistryWriteAccess(AuthOptions options, SignerScopes scopes) : IWriteAccess
{
    public async Task<bool> MayWriteAsync(string user, RepositoryName repository, CancellationToken cancellationToken)
    {
        if (options.Writers.TryGetValue(user, out var prefixes) && prefixes.Any(p => Covers(p, repository.Value)))
        {
            return true;
        }

        var identity = new DockerReference(options.ScopeHost, repository.Value, "latest", null);
        return await scopes.MaySignAsync(user, identity, cancellationToken);
    }

    private static bool Covers(string prefix, string repository)
    {
        var trimmed = prefix.Trim('/');
        return trimmed == "*" || repository == trimmed || repository.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }
}
