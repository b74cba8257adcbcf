using U7s.Cluster.Files;
using U7s.Oci.Policy;

namespace U7s.Cli.Wiring;

/// <summary>
/// A policy.json staged in a node tree names node paths (<c>/etc/u7s/keys/x.pgp</c>); the machine that staged it reads
/// those keys inside the tree, as the node will read them at its root. One rule for every reader of a staged policy
/// (the loader's <c>--root</c>, the kubeadm preflight under <c>--root</c>).
/// </summary>
internal static class StagedPolicy
{
    /// <summary>
    /// <paramref name="policy"/> with each absolute key path resolved under <paramref name="root"/> (a path that escapes
    /// the tree, also through a link, is refused); the host root, relative paths and paths already inside the tree
    /// (<c>create-imagemakeruser --in-place</c>) stay as they are.
    /// </summary>
    public static PolicyDocument InTree(PolicyDocument policy, NodeRoot root)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(root);
        return root.IsHost
            ? policy
            : policy.WithKeyPaths(path => path.StartsWith(root.Path + "/", StringComparison.Ordinal) || !path.StartsWith('/') ? path : root.Resolve(path));
    }
}
