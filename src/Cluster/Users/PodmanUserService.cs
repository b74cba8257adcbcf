using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cluster.Users;

/// <summary>
/// <c>u7s create-podmanusers user…</c> (SPEC §4): accounts in group <c>podman</c> only, each with an
/// empty, read-only, immutable <c>~/.config/containers</c> (0500, <c>chattr +i</c>) so the user can
/// never create a personal registries.d or policy.json that would replace the system trust settings.
/// The home is the user's: nothing in it is followed or listed through a symlink, and owner and flag are set on
/// the directory root opened (<see cref="UserConfigWriter"/>).
/// </summary>
public sealed class PodmanUserService(NodeFileWriter writer, SystemAccounts accounts)
{
    public const string ConfigDirectory = ".config/containers";

    private readonly UserConfigWriter _userFiles = new(writer);

    public async Task<IReadOnlyList<string>> RunAsync(IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        foreach (var name in users)
        {
            if (!AccountNames.IsValid(name))
            {
                throw new ClusterException($"not a valid user name: {name}", ClusterErrorKind.Usage);
            }

            if (accounts.GroupsOf(name).Contains(CreatePolicyService.PodmanDevGroup))
            {
                throw new ClusterException($"{name} is an imagemaker (group {CreatePolicyService.PodmanDevGroup}); podman users get no personal container configuration", ClusterErrorKind.Refused);
            }

            if (accounts.FindUser(name) is { } existing)
            {
                var config = $"{existing.Home.TrimEnd('/')}/{ConfigDirectory}";
                if (writer.EntriesOrNull(config) is { Count: > 0 } entries)
                {
                    throw new ClusterException(
                        $"{existing.Home}/{ConfigDirectory} of {name} is not empty ({string.Join(", ", entries)}): it would override the system policy; move it away first",
                        ClusterErrorKind.Refused);
                }
            }
        }

        var report = new List<string>();
        if (await accounts.EnsureGroupAsync(CreatePolicyService.PodmanGroup, cancellationToken))
        {
            report.Add($"group {CreatePolicyService.PodmanGroup} created");
        }

        foreach (var name in users)
        {
            if (await accounts.EnsureUserAsync(name, [CreatePolicyService.PodmanGroup], cancellationToken) is { } note)
            {
                report.Add(note);
            }

            var user = accounts.FindUser(name) ?? throw new ClusterException($"user {name} is missing after useradd");
            var config = $"{user.Home.TrimEnd('/')}/{ConfigDirectory}";
            if (_userFiles.EnsureDirectory(user, config, FileModes.Mode0500))
            {
                // Checked again once immutable: until then the user owns it and could have put files in.
                if (writer.SetImmutable(config) is { Count: > 0 } added)
                {
                    throw new ClusterException($"{config} of {name} holds {string.Join(", ", added)}, put there while it was being made immutable; run chattr -i on it, empty it and run again", ClusterErrorKind.Refused);
                }

                report.Add($"{config}: empty, 0500, immutable");
            }
        }

        return report;
    }
}
