using Microsoft.Win32.SafeHandles;
using U7s.Cluster.Accounts;
using U7s.Native;

namespace U7s.Testing;

/// <summary>
/// Stands in for the node programs that cannot run in a test (useradd, chown to other users, chattr,
/// systemctl): records every argv exactly and applies the account-file effect of
/// groupadd/useradd/usermod <c>--prefix ROOT</c> to <c>ROOT/etc/group</c> and <c>ROOT/etc/passwd</c>,
/// so the code under test sees the state the real tools would leave. It stands in for the descriptor calls that
/// replace chown and chattr too (<see cref="IFileOwnership"/>), recorded as <c>chown UID:GID PATH</c> and
/// <c>chattr +i PATH</c> with the path the kernel has for the descriptor.
/// </summary>
public sealed class RecordingProcessRunner : IProcessRunner, IFileOwnership
{
    private readonly List<string> _calls = [];
    private int _nextId = 1000;

    /// <summary>Each call as one line: program and arguments joined by single spaces.</summary>
    public IReadOnlyList<string> Calls => _calls;

    /// <summary>Programs that answer exit 1 with this stderr, to test error paths.</summary>
    public Dictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    public Task<ProcessOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        _calls.Add(string.Join(' ', [program, .. arguments]));
        if (Failures.TryGetValue(program, out var error))
        {
            return Task.FromResult(new ProcessOutcome(1, string.Empty, error));
        }

        var args = arguments.ToList();
        var prefix = "/";
        if (args.Count >= 2 && args[0] == "--prefix")
        {
            prefix = args[1];
            args.RemoveRange(0, 2);
        }

        if (prefix != "/")
        {
            Apply(program, prefix, args);
        }

        return Task.FromResult(new ProcessOutcome(0, string.Empty, string.Empty));
    }

    public void SetOwner(SafeFileHandle file, int uid, int gid) => Record("chown", $"{uid}:{gid} {DirectoryHandle.PathOf(file)}");

    public void SetImmutable(SafeFileHandle file) => Record("chattr", $"+i {DirectoryHandle.PathOf(file)}");

    public IReadOnlyList<string> SetOwnerRecursive(DirectoryHandle directory, int uid, int gid)
    {
        Record("chown", $"-R {uid}:{gid} {DirectoryHandle.PathOf(directory.Handle)}");
        return [];
    }

    // A failure set for the program the call replaces fails the call, as the kernel's refusal would.
    private void Record(string program, string arguments)
    {
        _calls.Add($"{program} {arguments}");
        if (Failures.TryGetValue(program, out var error))
        {
            throw new U7s.Cluster.ClusterException($"{program} {arguments} failed: {error}");
        }
    }

    private void Apply(string program, string prefix, List<string> args)
    {
        var group = Path.Join(prefix, "etc/group");
        var passwd = Path.Join(prefix, "etc/passwd");
        Directory.CreateDirectory(Path.Join(prefix, "etc"));
        switch (program)
        {
            case "groupadd":
                File.AppendAllText(group, $"{args[^1]}:x:{_nextId++}:\n");
                break;
            case "useradd":
                var user = args[^1];
                var id = _nextId++;
                var home = args.IndexOf("--home-dir") is var h and >= 0 ? args[h + 1] : $"/home/{user}";
                var shell = args.IndexOf("--shell") is var s and >= 0 ? args[s + 1] : "/bin/bash";
                File.AppendAllText(passwd, $"{user}:x:{id}:{id}::{home}:{shell}\n");
                File.AppendAllText(group, $"{user}:x:{id}:\n");
                if (!args.Contains("--no-create-home"))
                {
                    Directory.CreateDirectory(Path.Join(prefix, home));
                }

                AddMembers(group, user, args[args.IndexOf("-G") + 1]);
                break;
            case "usermod":
                AddMembers(group, args[^1], args[args.IndexOf("-G") + 1]);
                break;
        }
    }

    private static void AddMembers(string groupFile, string user, string groups)
    {
        var wanted = groups.Split(',');
        var lines = File.ReadAllLines(groupFile).Select(line =>
        {
            var f = line.Split(':');
            if (f.Length < 4 || !wanted.Contains(f[0]))
            {
                return line;
            }

            var members = f[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Append(user).Distinct();
            return $"{f[0]}:{f[1]}:{f[2]}:{string.Join(',', members)}";
        });
        File.WriteAllLines(groupFile, lines);
    }
}
