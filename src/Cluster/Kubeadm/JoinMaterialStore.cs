using System.Text.Json;
using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The root-only (0600) file holding the join token, CA hash, certificate key and their expiry,
/// written after <c>kubeadm init</c> and read by <c>u7s kubeadm join</c>; default
/// <c>/etc/u7s/kubeadm-join.json</c>.
/// </summary>
public sealed class JoinMaterialStore(NodeFileWriter writer, string nodePath = JoinMaterialStore.DefaultPath)
{
    public const string DefaultPath = "/etc/u7s/kubeadm-join.json";

    public string NodePath { get; } = nodePath;

    public async Task SaveAsync(JoinMaterial material, CancellationToken cancellationToken)
    {
        // The file is 0600; its directory (/etc/u7s) also holds what the service user and rootless podman read, so a
        // missing one is made 0755 and an existing one keeps its mode.
        var json = JsonSerializer.Serialize(material, ClusterJsonContext.Default.JoinMaterial) + "\n";
        await writer.WriteAsync(NodePath, json, FileModes.Mode0600, cancellationToken);
    }

    /// <summary>The stored material, or null when there is none; throws InvalidInput when it is corrupt.</summary>
    public JoinMaterial? LoadOrNull()
    {
        var text = writer.ReadOrNull(NodePath);
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, ClusterJsonContext.Default.JoinMaterial)
                ?? throw new ClusterException($"{NodePath} is empty", ClusterErrorKind.InvalidInput);
        }
        catch (JsonException e)
        {
            throw new ClusterException($"{NodePath} is not valid join data: {e.Message}", ClusterErrorKind.InvalidInput);
        }
    }
}
