using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Users;

/// <summary>
/// Writes files and directories inside a user's home so that the user owns them. The home and everything in it
/// belong to the user, who may plant symlinks, FIFOs or hard links there and swap them while root runs: every
/// step goes through <see cref="NodeFileWriter"/>'s descriptor rules (no link followed below the home, files
/// replaced by a rename, owner set with <c>fchown</c> on the file root just created), never through a path a
/// <c>chown</c> program would look up again.
/// </summary>
public sealed class UserConfigWriter(NodeFileWriter writer)
{
    /// <summary>Creates each missing directory from the user's home down to <paramref name="nodePath"/>, owned by the user; true when anything changed.</summary>
    public bool EnsureDirectory(AccountEntry user, string nodePath, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(nodePath);
        var changed = false;
        var path = user.Home.TrimEnd('/');
        foreach (var part in BelowHome(user, nodePath).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + part;
            changed |= writer.EnsureDirectory(path, path == nodePath ? mode : FileModes.Mode0755, Owner(user));
        }

        return changed;
    }

    /// <summary>Writes a 0644 file in the user's home (parents created as the user's), owned by the user.</summary>
    public Task<FileChange> WriteAsync(AccountEntry user, string nodePath, string content, CancellationToken cancellationToken) =>
        WriteBytesAsync(user, nodePath, System.Text.Encoding.UTF8.GetBytes(content), FileModes.Mode0644, cancellationToken);

    /// <summary>Writes a file with <paramref name="mode"/> in the user's home (parents created as the user's), owned by the user.</summary>
    public Task<FileChange> WriteBytesAsync(AccountEntry user, string nodePath, byte[] content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(nodePath);
        var parent = nodePath[..nodePath.LastIndexOf('/')];
        if (parent.Length > user.Home.TrimEnd('/').Length)
        {
            EnsureDirectory(user, parent, FileModes.Mode0755);
        }

        _ = BelowHome(user, nodePath);
        return writer.WriteBytesAsync(nodePath, content, mode, Owner(user), cancellationToken);
    }

    private static FileOwner Owner(AccountEntry user) => new(user.Uid, user.Gid);

    private static string BelowHome(AccountEntry user, string nodePath)
    {
        var home = user.Home.TrimEnd('/');
        return nodePath.StartsWith(home + "/", StringComparison.Ordinal) && !nodePath.Split('/').Contains("..")
            ? nodePath[home.Length..]
            : throw new ArgumentException($"{nodePath} is not inside the home {user.Home} of {user.Name}", nameof(nodePath));
    }
}
