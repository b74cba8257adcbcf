using System.Globalization;
using U7s.Cluster.Files;

namespace U7s.Cluster.Accounts;

/// <summary>
/// Groups and users, done by the node's own shadow-utils through <see cref="IProcessRunner"/> (files and
/// directories get their owners by descriptor, from <see cref="NodeFileWriter"/>). Under a staging root the shadow tools get
/// <c>--prefix ROOT</c> (they then edit <c>ROOT/etc/passwd</c>, <c>group</c>, <c>shadow</c>), and
/// ownership uses the numeric ids of the root's own account files, never the host's name service.
/// </summary>
public sealed class SystemAccounts(NodeRoot root, IProcessRunner runner, ChangePlan? plan = null)
{
    // --dry-run: the accounts that would have been created, so later steps find them (ids 0: nothing is owned for real).
    private readonly Dictionary<string, AccountEntry> _plannedUsers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _plannedGroups = new(StringComparer.Ordinal);

    /// <summary>The user's entry in the root's <c>/etc/passwd</c>, or null.</summary>
    public AccountEntry? FindUser(string name)
    {
        if (_plannedUsers.TryGetValue(name, out var planned))
        {
            return planned;
        }

        foreach (var fields in ReadTable("/etc/passwd"))
        {
            if (fields.Length >= 6 && fields[0] == name
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                return new AccountEntry(name, uid, gid, fields[5]);
            }
        }

        return null;
    }

    /// <summary>The group's id in the root's <c>/etc/group</c>, or null.</summary>
    public int? FindGroupId(string name) => _plannedGroups.Contains(name) ? 0 :
        ReadTable("/etc/group").Where(f => f.Length >= 3 && f[0] == name)
            .Select(f => int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid) ? gid : (int?)null)
            .FirstOrDefault();

    /// <summary>The name of the group with id <paramref name="gid"/>, or null.</summary>
    public string? GroupNameOf(int gid) =>
        ReadTable("/etc/group").FirstOrDefault(f => f.Length >= 3 && f[2] == gid.ToString(CultureInfo.InvariantCulture))?[0];

    /// <summary>Supplementary members of <paramref name="group"/>.</summary>
    public IReadOnlyList<string> MembersOf(string group) =>
        ReadTable("/etc/group").Where(f => f.Length >= 4 && f[0] == group)
            .SelectMany(f => f[3].Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();

    /// <summary>Groups that list <paramref name="user"/> as a supplementary member.</summary>
    public IReadOnlySet<string> GroupsOf(string user) =>
        ReadTable("/etc/group").Where(f => f.Length >= 4 && f[3].Split(',').Contains(user))
            .Select(f => f[0]).ToHashSet(StringComparer.Ordinal);

    /// <summary>Creates the group unless it exists; true when it was created.</summary>
    public async Task<bool> EnsureGroupAsync(string group, CancellationToken cancellationToken)
    {
        if (FindGroupId(group) is not null)
        {
            return false;
        }

        await RunAsync("groupadd", [.. Prefix(), group], cancellationToken);
        if (plan is not null)
        {
            _plannedGroups.Add(group);
        }

        return true;
    }

    /// <summary>
    /// Creates the user (home directory, bash, supplementary <paramref name="groups"/>) or, for an
    /// existing user, adds only the missing groups. Returns what was done, for the report.
    /// </summary>
    public async Task<string?> EnsureUserAsync(string user, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (FindUser(user) is null)
        {
            await RunAsync("useradd", [.. Prefix(), "-m", "-s", "/bin/bash", "-G", string.Join(',', groups), user], cancellationToken);
            Planned(user, $"/home/{user}");
            return $"user {user} created (groups {string.Join(',', groups)})";
        }

        return await AddMissingGroupsAsync(user, groups, cancellationToken);
    }

    /// <summary>
    /// Creates a system account for a service (its own group, no login shell, <paramref name="home"/> not
    /// created, supplementary <paramref name="groups"/>) or, for an existing one, adds only the missing groups.
    /// Returns what was done, for the report.
    /// </summary>
    public async Task<string?> EnsureSystemUserAsync(string user, string home, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (FindUser(user) is not null)
        {
            return await AddMissingGroupsAsync(user, groups, cancellationToken);
        }

        await RunAsync("useradd", [.. Prefix(), "--system", "--user-group", "--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", "-G", string.Join(',', groups), user], cancellationToken);
        Planned(user, home);
        if (plan is not null)
        {
            _plannedGroups.Add(user);
        }

        return $"system user {user} created (groups {user},{string.Join(',', groups)})";
    }

    /// <summary>The numeric owner of <paramref name="user"/> and <paramref name="group"/> in the root's account files (never the host's name service).</summary>
    public FileOwner OwnerOf(string user, string group)
    {
        var uid = user == "root" ? 0 : FindUser(user)?.Uid ?? throw new ClusterException($"no user {user} in {root.Path}/etc/passwd");
        var gid = FindGroupId(group) ?? throw new ClusterException($"no group {group} in {root.Path}/etc/group");
        return new FileOwner(uid, gid);
    }

    private async Task<string?> AddMissingGroupsAsync(string user, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        var current = GroupsOf(user);
        var missing = groups.Where(g => !current.Contains(g)).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        await RunAsync("usermod", [.. Prefix(), "-a", "-G", string.Join(',', missing), user], cancellationToken);
        return $"user {user} added to {string.Join(',', missing)}";
    }

    private void Planned(string user, string home)
    {
        if (plan is not null)
        {
            _plannedUsers[user] = new AccountEntry(user, 0, 0, home);
        }
    }

    private string[] Prefix() => root.IsHost ? [] : ["--prefix", root.Path];

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            plan.Add($"run {program} {string.Join(' ', arguments)}");
            return;
        }

        var outcome = await runner.RunAsync(program, arguments, cancellationToken);
        if (outcome.ExitCode != 0)
        {
            throw new ClusterException($"{program} {string.Join(' ', arguments)} failed: {outcome.FirstErrorLine}");
        }
    }

    private IEnumerable<string[]> ReadTable(string nodePath)
    {
        var path = root.Resolve(nodePath);
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return line.Split(':');
            }
        }
    }
}
