using U7s.Oci.Policy;
using U7s.Security.Signers;
using U7s.Sigstore.Store;

namespace U7s.Server.Hosting;

/// <summary>
/// Before <c>u7s serve</c> takes requests: the authorization document must be readable and safe
/// (a file someone else could write stops the start), and an install from before it existed, whose
/// rights were only in the served <c>keys/policy.json</c>, is told how to write it instead of quietly
/// losing every imagemaker's rights. The served policy is read here only to name who needs it.
/// </summary>
internal static class SignersStartCheck
{
    private const int MaxPolicyBytes = 4 * 1024 * 1024;

    public static async Task RunAsync(ISignerSource signers, ISigstoreTree tree, CancellationToken cancellationToken)
    {
        try
        {
            if (await signers.ReadOrNullAsync(cancellationToken) is not null)
            {
                return;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ServerException(e is InvalidDataException ? e.Message : $"cannot read {signers.Description}: {e.Message}");
        }

        var named = await SignersInServedPolicyAsync(tree, cancellationToken);
        if (named.Count > 0)
        {
            throw new ServerException(
                $"{signers.Description}{(signers is SignersFile ? $" ({SignersFile.Setting}, u7s serve --signers)" : string.Empty)} does not exist, but the served {SignerScopes.PolicyPath} names signers: push and signing rights now come only from that root-owned file; "
                + $"write it as root with: u7s create-imagemakeruser {string.Join(' ', named)}{(signers is SignersFile ? string.Empty : " --publish-to s3://<bucket>/<prefix>")}");
        }
    }

    /// <summary><c>user@scope</c> for every key file the served policy lists under a docker scope.</summary>
    private static async Task<IReadOnlyList<string>> SignersInServedPolicyAsync(ISigstoreTree tree, CancellationToken cancellationToken)
    {
        PolicyDocument policy;
        try
        {
            var json = await tree.ReadAllOrNullAsync(SignerScopes.PolicyPath, MaxPolicyBytes, cancellationToken);
            if (json is null)
            {
                return [];
            }

            policy = PolicyParser.Parse(json);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or PolicyException)
        {
            return [];
        }

        if (!policy.Transports.TryGetValue("docker", out var scopes))
        {
            return [];
        }

        return scopes
            .SelectMany(s => s.Value.SelectMany(r => r.KeyPaths ?? []).Select(p => Path.GetFileName(p)).Where(n => n.EndsWith(".pgp", StringComparison.Ordinal)).Select(n => $"{n[..^4]}@{s.Key}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
