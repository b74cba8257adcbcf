namespace U7s.Testing;

/// <summary>
/// A node's real layout without touching this machine: a bash script run as root in a private mount namespace
/// (<c>unshare -m</c>, every mount made private first) where <c>/etc</c> is a private copy of this machine's and
/// <c>/home</c>, <c>/root</c> and <c>/var</c> are empty tmpfs, and a network namespace of its own (only loopback,
/// unless a <see cref="NodeNetwork"/>'s is given), so the <c>net.*</c> settings create-policy applies are the
/// namespace's; the one global kernel setting it applies (<c>kernel.unprivileged_userns_clone</c>) is covered by a
/// private copy. Node verbs run there without <c>--root</c>, on <c>/etc/passwd</c>, real users and <c>runuser</c>,
/// exactly as on a node; nothing they do leaves the namespace.
/// </summary>
public static class PrivateHost
{
    private static readonly string[] Tools = ["unshare", "mount", "mountpoint", "bash", "cp", "useradd", "runuser", "stat", "ip"];

    private static readonly Lazy<string?> Probe = new(ProbeSkipReason);

    /// <summary>The mounts every script starts with; it stops (set -e) before anything else when one fails.</summary>
    private const string Prologue = """
        set -euo pipefail
        mount --make-rprivate /
        work="$1"; shift
        mkdir -p "$work/etc"
        cp -a /etc/. "$work/etc/"
        mount --bind "$work/etc" /etc
        mount -t tmpfs -o mode=0755,size=64m u7s-home /home
        mount -t tmpfs -o mode=0700,size=16m u7s-root /root
        mount -t tmpfs -o mode=0755,size=256m u7s-var /var
        mkdir -m 1777 /var/tmp
        ip link set lo up
        # kernel.* is not per network namespace: what a verb applies there lands in a private copy, never this machine's.
        if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
          cat /proc/sys/kernel/unprivileged_userns_clone > "$work/unprivileged_userns_clone"
          mount --bind "$work/unprivileged_userns_clone" /proc/sys/kernel/unprivileged_userns_clone
        fi
        export HOME=/root DOTNET_CLI_HOME="$work/dotnet-home" DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

        """;

    /// <summary>Why no private host can be made here (tried once per process), or null when it can.</summary>
    public static string? SkipReason => Probe.Value;

    /// <summary>
    /// Runs <paramref name="script"/> after the prologue, with <c>$work</c> set to <paramref name="work"/> (a directory
    /// of this machine, outside every covered tree) and <paramref name="arguments"/> as <c>$1</c>….
    /// </summary>
    public static Task<ProcessResult> RunAsync(string work, string script, IEnumerable<string> arguments, TimeSpan timeout) =>
        ExternalProcess.RunAsync("unshare", ["-m", "-n", "--propagation", "private", "--", "bash", "-c", Prologue + script, "bash", work, .. arguments], timeout: timeout);

    /// <summary>As <see cref="RunAsync(string, string, IEnumerable{string}, TimeSpan)"/>, inside the network namespace <paramref name="network"/> (a <see cref="NodeNetwork"/>'s).</summary>
    public static Task<ProcessResult> RunAsync(string network, string work, string script, IEnumerable<string> arguments, TimeSpan timeout) =>
        ExternalProcess.RunAsync("ip", ["netns", "exec", network, "unshare", "-m", "--propagation", "private", "--", "bash", "-c", Prologue + script, "bash", work, .. arguments], timeout: timeout);

    /// <summary>
    /// This machine's files the node verbs write (accounts, hosts, container and sysctl configuration, the trusted
    /// keys) and the kernel settings create-policy applies, hashed: equal before and after a test that ran the verbs
    /// inside private hosts means none of it reached this machine.
    /// </summary>
    public static string[] HostState()
    {
        string[] files =
        [
            "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/hosts", "/etc/containers/policy.json", "/etc/containers/registries.conf",
            "/etc/containers/registries.d/default.yaml", "/etc/containers/containers.conf", "/etc/crio/crio.conf.d/10-u7s-pause.conf",
            "/etc/sysctl.d/99-podman.conf", "/etc/sysctl.d/90-ipforward.conf", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/unprivileged_userns_clone",
        ];
        return files
            .Select(p => File.Exists(p) ? $"{p} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))}" : $"{p} absent")
            .Append($"/etc/u7s {(Directory.Exists("/etc/u7s") ? string.Join(',', Directory.GetFileSystemEntries("/etc/u7s", "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)) : "absent")}")
            .Append($"/etc/containers {(Directory.Exists("/etc/containers") ? string.Join(',', Directory.GetFileSystemEntries("/etc/containers").Order(StringComparer.Ordinal)) : "absent")}")
            .Append($"/home {string.Join(',', Directory.GetDirectories("/home").Order(StringComparer.Ordinal))}")
            .Append($"/var/sigstore {Directory.Exists("/var/sigstore")}")
            .ToArray();
    }

    /// <summary>True when <paramref name="path"/> lies under a tree the namespace covers, so a script could not see it.</summary>
    public static bool IsCovered(string path) =>
        new[] { "/etc", "/home", "/root", "/var" }.Any(t => Path.GetFullPath(path) == t || Path.GetFullPath(path).StartsWith(t + "/", StringComparison.Ordinal));

    private static string? ProbeSkipReason()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "a private mount namespace needs root";
        }

        if (Tools.Where(t => Tool.Find(t) is null).ToArray() is { Length: > 0 } missing)
        {
            return $"not installed: {string.Join(", ", missing)}";
        }

        if (IsCovered(AppContext.BaseDirectory) || IsCovered(Path.GetTempPath()))
        {
            return $"the tests ({AppContext.BaseDirectory}) or the temp directory ({Path.GetTempPath()}) lie under /etc, /home, /root or /var, which the namespace covers";
        }

        using var work = new TempDirectory("u7s-private-host");
        var result = RunAsync(work.Path, "test -f /etc/passwd && mountpoint -q /home", [], TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        return result.ExitCode == 0 ? null : $"this machine cannot make a private mount namespace: {result.StandardError.Trim()}";
    }
}
