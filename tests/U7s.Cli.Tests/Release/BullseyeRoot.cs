namespace U7s.Cli.Tests.Release;

/// <summary>
/// A node with Debian 11's runtime libraries and nothing else: a chroot of <c>tools/sysroot.sh runtime
/// ARCH</c> (libc6 2.31, libgcc-s1, libssl1.1, liblzma5, zlib1g; no shell, no .NET), the account files
/// every node has, and the release tarball unpacked in it. Programs run there in a private mount
/// namespace with the node's <c>/dev</c>, <c>/proc</c> and an empty <c>/tmp</c>; the folders given are
/// bound in at their own paths, so host paths in arguments mean the same inside. The arm64 root runs
/// its programs under Debian's qemu-aarch64-static (copied in), whether or not binfmt_misc knows it.
/// </summary>
public sealed class BullseyeRoot : IDisposable
{
    private const string Script = """
        set -e
        root=$1
        shift
        chroot=$(command -v chroot)
        mount --make-rprivate /
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc" 2>/dev/null || mount --rbind /proc "$root/proc"
        mount -t tmpfs -o mode=1777 u7s-bullseye-tmp "$root/tmp"
        while [ "$1" != -- ]; do
          mkdir -p "$root$1"
          mount --bind "$1" "$root$1"
          shift
        done
        shift
        exec env -i PATH=/usr/bin:/bin HOME=/ LANG=C.UTF-8 "$chroot" "$root" "$@"
        """;

    private const string Qemu = "/usr/bin/qemu-aarch64-static";

    private readonly TempDirectory _temp;
    private readonly string[] _binds;

    private BullseyeRoot(TempDirectory temp, string arch, string[] binds)
    {
        _temp = temp;
        Arch = arch;
        _binds = binds;
    }

    public string Arch { get; }

    /// <summary>The root on the host.</summary>
    public string Path => _temp.Combine("root");

    /// <summary>The release's u7s, as a path inside the root.</summary>
    public string Program => $"/{ReleaseArtifacts.TarballFolder(Arch)}/u7s";

    /// <summary>The root of <paramref name="arch"/> with the release unpacked and <paramref name="binds"/> to bind in (absolute host folders).</summary>
    public static async Task<BullseyeRoot> CreateAsync(string arch, params string[] binds)
    {
        var sysroot = (await ExternalProcess.RunAsync(System.IO.Path.Combine(TestRepository.Root, "tools", "sysroot.sh"), ["runtime", arch], timeout: TimeSpan.FromMinutes(5)))
            .EnsureSuccess($"tools/sysroot.sh runtime {arch}").StandardOutput.Trim();
        var root = new BullseyeRoot(new TempDirectory("u7s-bullseye"), arch, binds);
        try
        {
            (await ExternalProcess.RunAsync("cp", ["-a", sysroot + "/.", root.Path + "/"])).EnsureSuccess("cp -a sysroot");
            foreach (var d in new[] { "dev", "proc", "tmp", "etc", "usr/bin" })
            {
                Directory.CreateDirectory(System.IO.Path.Combine(root.Path, d));
            }

            // What every node has, and the loader's signature directories are made for: root and podman_dev.
            await File.WriteAllTextAsync(System.IO.Path.Combine(root.Path, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            await File.WriteAllTextAsync(System.IO.Path.Combine(root.Path, "etc/group"), "root:x:0:\npodman_dev:x:990:\n");
            (await ExternalProcess.RunAsync("tar", ["-xzf", ReleaseArtifacts.TarballOf(arch), "-C", root.Path])).EnsureSuccess("tar -x release");
            if (arch == "arm64")
            {
                File.Copy(Tool.Find("qemu-aarch64-static") ?? throw new InvalidOperationException("qemu-aarch64-static is not installed"), root.Path + Qemu);
            }

            return root;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>The command line that runs <paramref name="program"/> (a path inside the root; the release's u7s by default) there; its arguments follow.</summary>
    public IReadOnlyList<string> Command(string? program = null) =>
        ["unshare", "-m", "--", "/bin/sh", "-c", Script, "sh", Path, .. _binds, "--", .. Arch == "arm64" ? [Qemu] : Array.Empty<string>(), program ?? Program];

    public Task<ProcessResult> RunAsync(params string[] arguments) => RunProgramAsync(Program, arguments);

    public Task<ProcessResult> RunProgramAsync(string program, params string[] arguments)
    {
        var command = Command(program);
        return ExternalProcess.RunAsync(command[0], [.. command.Skip(1), .. arguments], timeout: TimeSpan.FromMinutes(2));
    }

    public void Dispose() => _temp.Dispose();
}
