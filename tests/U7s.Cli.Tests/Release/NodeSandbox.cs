namespace U7s.Cli.Tests.Release;

/// <summary>
/// This machine as a throw-away node: a private mount and network namespace whose root is an overlay
/// of the host's <c>/</c>, so a script there may run <c>dpkg -i</c>, <c>rpm -i</c>, <c>useradd</c> and
/// bind :80 and :81 for real, and every write lands in the sandbox's own folder, never on the host.
/// Inside: the host's programs, its <c>/dev</c>, a fresh <c>/proc</c>, empty <c>/tmp</c> and <c>/run</c>
/// (no systemd answers there), every .NET install hidden, loopback up; the folders given are bound in at
/// their own paths.
/// </summary>
public static class NodeSandbox
{
    private const string Setup = """
        set -e
        base=$1
        shift
        mount --make-rprivate /
        mkdir -p "$base/upper" "$base/work" "$base/merged"
        mount -t overlay u7s-node -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/merged"
        m=$base/merged
        mount --rbind /dev "$m/dev"
        mount -t proc proc "$m/proc"
        mount -t tmpfs -o mode=1777 u7s-node-tmp "$m/tmp"
        mount -t tmpfs -o mode=0755 u7s-node-run "$m/run"
        while [ "$1" != -- ]; do
          if [ -d "$m$1" ]; then mount -t tmpfs -o ro,size=4k,mode=0755 u7s-no-dotnet "$m$1"; fi
          shift
        done
        shift
        while [ "$1" != -- ]; do
          mkdir -p "$m$1"
          mount --bind "$1" "$m$1"
          shift
        done
        shift
        ip link set lo up
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$(command -v chroot)" "$m" /bin/bash -c "$1"
        """;

    /// <summary>
    /// Runs the bash <paramref name="script"/> as root in a new sandbox kept under <paramref name="folder"/>
    /// (which must be empty or new), with <paramref name="binds"/> (absolute host folders) visible.
    /// </summary>
    public static Task<ProcessResult> RunAsync(string folder, string script, params string[] binds)
    {
        Directory.CreateDirectory(folder);
        return ExternalProcess.RunAsync(
            "unshare", ["-m", "-n", "--", "/bin/sh", "-c", Setup, "sh", folder, .. WithoutDotnet.DotnetPlaces, "--", .. binds, "--", script], timeout: TimeSpan.FromMinutes(3));
    }
}
