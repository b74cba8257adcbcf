using System.Text.RegularExpressions;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Keys;

/// <summary>
/// Publishes an imagemaker's public key as <c>keys/&lt;user&gt;.pgp</c> of the served tree (armored,
/// 0644 on disk; SPEC §2.3, §3.7), where nodes download it from the :81 listing.
/// </summary>
public static partial class PublicKeyPublisher
{
    /// <summary>The key's path in the tree, <c>keys/&lt;user&gt;.pgp</c>. MUST refuse user names that are not plain login names.</summary>
    public static string TreePath(string user) =>
        UserName().IsMatch(user) ? $"keys/{user}.pgp" : throw new KeyStoreException($"'{user}' is not a valid user name");

    /// <summary>Writes the key into the tree on disk at <paramref name="sigstoreRoot"/> through a temp file and a rename; returns the published path.</summary>
    public static string Publish(string sigstoreRoot, string user, ReadOnlySpan<byte> armoredPublicKey) =>
        new FileSystemSigstoreTree(sigstoreRoot).Write(TreePath(user), armoredPublicKey);

    /// <summary>Writes (or replaces) the key in any tree, e.g. the S3 one replicas share; returns its path in the tree.</summary>
    public static async Task<string> PublishAsync(ISigstoreTree tree, string user, ReadOnlyMemory<byte> armoredPublicKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var path = TreePath(user);
        await tree.WriteAsync(path, armoredPublicKey, cancellationToken);
        return path;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();
}
