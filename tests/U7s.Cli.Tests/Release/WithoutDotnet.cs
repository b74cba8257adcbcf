namespace U7s.Cli.Tests.Release;

/// <summary>
/// Runs a program as on a node without .NET: in a private mount namespace where every place a .NET
/// install could be found is an empty read-only tmpfs, with an emptied environment (no DOTNET_*) and a
/// PATH of system folders only. The wrapper refuses to start the program if <c>dotnet</c> still resolves.
/// </summary>
public static class WithoutDotnet
{
    /// <summary>Where Debian, other distributions and dotnet-install put the runtime: hidden so only a self-contained binary runs.</summary>
    public static readonly IReadOnlyList<string> DotnetPlaces = ["/usr/share/dotnet", "/usr/lib/dotnet", "/usr/lib64/dotnet", "/root/.dotnet", "/etc/dotnet", "/opt/dotnet"];

    private const string Script = """
        set -e
        mount --make-rprivate /
        for d in "$@"; do
          [ "$d" = -- ] && break
          if [ -d "$d" ]; then mount -t tmpfs -o ro,size=4k,mode=0755 u7s-no-dotnet "$d"; fi
        done
        while [ "$1" != -- ]; do shift; done
        shift
        if command -v dotnet >/dev/null 2>&1 || [ -e /usr/share/dotnet/dotnet ]; then echo "dotnet is still visible" >&2; exit 97; fi
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
        """;

    /// <summary>The command line that runs <paramref name="program"/> this way; its arguments follow it.</summary>
    public static IReadOnlyList<string> Command(string program) => ["unshare", "-m", "--", "/bin/sh", "-c", Script, "sh", .. DotnetPlaces, "--", program];

    public static Task<ProcessResult> RunAsync(string program, params string[] arguments)
    {
        var command = Command(program);
        return ExternalProcess.RunAsync(command[0], [.. command.Skip(1), .. arguments]);
    }
}
