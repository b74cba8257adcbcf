using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Users;

/// <summary>Writes files and directories inside a user's home so that the user owns them.</summary>
public sealed class UserConfigWriter(NodeFileWriter writer, SystemAccounts accounts)
{
    /// <summary>Creates each missing directory from the user's home down to <paramref name="nodePath"/>, owned by the user.</summary>
    public async Task<bool> EnsureDirectoryAsync(AccountEntry user, string nodePath, UnixFileMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(nodePath);
        var changed = false;
        var path = user.Home.TrimEnd('/');
        foreach (var part in nodePath[user.Home.TrimEnd('/').Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + part;
            if (writer.EnsureDirectory(path, path == nodePath ? mode : FileModes.Mode0755))
            {
                await accounts.SetOwnerAsync(path, user.Uid, user.Gid, cancellationToken);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Writes a file in the user's home (parents created as the user's), owned by the user.</summary>
    public async Task<FileChange> WriteAsync(AccountEntry user, string nodePath, string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(nodePath);
        await EnsureDirectoryAsync(user, nodePath[..nodePath.LastIndexOf('/')], FileModes.Mode0755, cancellationToken);
        var change = await writer.WriteAsync(nodePath, content, FileModes.Mode0644, cancellationToken);
        if (change.Changed)
        {
            await accounts.SetOwnerAsync(nodePath, user.Uid, user.Gid, cancellationToken);
        }

        return change;
    }
}
