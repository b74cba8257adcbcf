using System.Text;
using U7s.Cluster.Files;
using U7s.Security.Files;
using U7s.Security.Signers;

namespace U7s.Cluster.Node;

/// <summary>
/// The two places a signer's public key lives, and the policy forms that name them:
/// <list type="bullet">
/// <item>served, <c>/var/sigstore/keys/&lt;user&gt;.pgp</c> with <c>keys/policy.json</c>: podsec's layout, what the
/// registry node publishes on :81 and other nodes download. Group <c>podman_dev</c> can change it, so nothing trusts it.</item>
/// <item>trusted, <c>/etc/u7s/keys/&lt;user&gt;.pgp</c>: root-owned, written only by root's node verbs (on the registry
/// node from the authorization file, elsewhere from a download the admin accepted); the node's
/// <c>/etc/containers/policy.json</c> names these, so CRI-O, podman, <c>u7s verify</c>, <c>u7s status</c> and the
/// registry's enforcement trust exactly them.</item>
/// </list>
/// <paramref name="pathPrefix"/> is empty for node paths, or the root's host path when key paths name the staging
/// tree where it is (<see cref="ClusterOptions.PathsIncludeRoot"/>).
/// </summary>
public sealed class TrustedKeys(NodeFileWriter writer, string pathPrefix)
{
    public const UnixFileMode DirectoryMode = FileModes.Mode0755;

    /// <summary>The key path of <paramref name="user"/>'s trusted key, as policy.json names it.</summary>
    public string TrustedPath(string user) => pathPrefix + NodePaths.TrustedKey(user);

    /// <summary>The policy as this node uses it: every served key path replaced by the trusted one.</summary>
    public EditablePolicy ToTrusted(EditablePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.WithKeyPaths(k => Swap(k, NodePaths.Keys, NodePaths.TrustedKeys));
    }

    /// <summary>
    /// The policy as the registry node serves it to other nodes (<c>keys/policy.json</c>): the served key paths, always as
    /// node paths (<c>/var/sigstore/keys/x.pgp</c>), also when this node's own policy names the staging tree where it is:
    /// other nodes take only key paths their download brings along.
    /// </summary>
    public EditablePolicy ToServed(EditablePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.WithKeyPaths(k => Swap(k, NodePaths.TrustedKeys, NodePaths.Keys) is var served && served != k && served.StartsWith(pathPrefix + "/", StringComparison.Ordinal)
            ? served[pathPrefix.Length..]
            : served);
    }

    /// <summary>The file name (<c>alice.pgp</c>) of a trusted key path, or null when the path is not one.</summary>
    public string? TrustedFileName(string keyPath)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        var directory = pathPrefix + NodePaths.TrustedKeys + "/";
        return keyPath.StartsWith(directory, StringComparison.Ordinal) && keyPath.IndexOf('/', directory.Length) < 0 ? keyPath[directory.Length..] : null;
    }

    /// <summary>
    /// Writes each key (file name → bytes) into <see cref="NodePaths.TrustedKeys"/>, creating it 0755, after
    /// checking that only root can change it (the policy would otherwise trust files others can replace).
    /// </summary>
    public async Task InstallAsync(IReadOnlyDictionary<string, byte[]> keys, List<string> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(report);
        if (writer.EnsureDirectory(NodePaths.TrustedKeys, DirectoryMode))
        {
            report.Add($"{NodePaths.TrustedKeys}: directory {FileModes.ToOctal(DirectoryMode)}");
        }

        if (TrustedFile.Problem(writer.Root.Resolve(NodePaths.TrustedKey("x")), "the trusted key directory") is { } problem)
        {
            throw new ClusterException(problem, ClusterErrorKind.Refused);
        }

        foreach (var (name, key) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            report.Note(await writer.WriteBytesAsync($"{NodePaths.TrustedKeys}/{name}", key, FileModes.Mode0644, cancellationToken));
        }
    }

    /// <summary>A report line for each trusted key path of <paramref name="policy"/> whose file is not there: signatures by it are refused.</summary>
    public IEnumerable<string> Missing(EditablePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var keyPath in policy.KeyPaths().Distinct(StringComparer.Ordinal))
        {
            if (TrustedFileName(keyPath) is { } name && writer.ReadBytesOrNull($"{NodePaths.TrustedKeys}/{name}") is null)
            {
                yield return $"WARNING: the policy trusts {keyPath}, which does not exist: signatures by that signer are refused until u7s create-imagemakeruser {Path.GetFileNameWithoutExtension(name)}@<scope> is run again (it reuses the key)";
            }
        }
    }

    /// <summary>
    /// The authorization file (<see cref="ClusterOptions.Signers"/>), or null when it does not exist. MUST refuse one
    /// that someone other than root could change, and throw InvalidInput when it does not parse.
    /// </summary>
    public SignersDocument? ReadAuthorization(string nodePath)
    {
        if (TrustedFile.Problem(writer.Root.Resolve(nodePath), "the authorization file") is { } problem)
        {
            throw new ClusterException(problem, ClusterErrorKind.Refused);
        }

        try
        {
            return writer.ReadOrNull(nodePath) is { } text ? SignersDocument.Parse(Encoding.UTF8.GetBytes(text)) : null;
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException($"{nodePath} is invalid: {e.Message}", ClusterErrorKind.InvalidInput);
        }
    }

    private string Swap(string keyPath, string from, string to)
    {
        var prefix = pathPrefix + from + "/";
        return keyPath.StartsWith(prefix, StringComparison.Ordinal) && keyPath.IndexOf('/', prefix.Length) < 0
            ? pathPrefix + to + "/" + keyPath[prefix.Length..]
            : keyPath;
    }
}
