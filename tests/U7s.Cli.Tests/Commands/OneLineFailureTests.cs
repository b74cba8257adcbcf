using System.Net;
using System.Net.Sockets;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The real <c>u7s</c> executable, every verb of the README given bad input or a hostile machine
/// (port in use, a privileged port without root, data owned by another user, no kubeadm): each
/// failure is exactly one line on stderr, nothing on stdout, no stack frame, and its exit code.
/// </summary>
public sealed class OneLineFailureTests : IDisposable
{
    private const string Tmp = "{tmp}";
    private readonly TempDirectory _dir = new("u7s-fail");

    public OneLineFailureTests()
    {
        Directory.CreateDirectory(_dir.Combine("root"));
        Directory.CreateDirectory(_dir.Combine("empty-path"));
        File.WriteAllText(_dir.Combine("u7s.json"), """{"Registry":{"Foo":1}}""");
    }

    public static TheoryData<string, int, string, string[]> BadInput => new()
    {
        { "serve: listen address", ExitCodes.Usage, "Registry:Listen 'nope' is not host:port", ["serve", "--registry-listen", "nope", "--data", $"{Tmp}/d", "--sigstore-root", $"{Tmp}/s"] },
        { "serve: unknown config key", ExitCodes.Usage, "u7s.json: unknown setting Registry:Foo", ["serve", "--config", $"{Tmp}/u7s.json"] },
        { "serve: missing config file", ExitCodes.Usage, "does not exist", ["serve", "--config", $"{Tmp}/absent.json"] },
        { "gc: bad grace", ExitCodes.Usage, "--grace 'xx' is not a non-negative time span", ["gc", "--grace", "xx", "--data", $"{Tmp}/d"] },
        { "gc: no data root", ExitCodes.Usage, "does not exist", ["gc", "--data", $"{Tmp}/absent"] },
        { "keys generate: no e-mail", ExitCodes.Usage, "--email", ["keys", "generate", "--name", "x", "--key-dir", $"{Tmp}/keys"] },
        { "keys import: no file", ExitCodes.Usage, "cannot read", ["keys", "import", $"{Tmp}/absent.asc", "--key-dir", $"{Tmp}/keys"] },
        { "keys list: unknown flag", ExitCodes.Usage, "Unrecognized command or argument '--sigstore-root'", ["keys", "list", "--sigstore-root", $"{Tmp}/s"] },
        { "keys export: unknown key", ExitCodes.Usage, "no signing key for 'nobody@example.test'", ["keys", "export", "nobody@example.test", "--key-dir", $"{Tmp}/keys"] },
        { "sign: no key", ExitCodes.Usage, "Option '--key' is required", ["sign", "registry.local/a:1"] },
        { "verify: bad reference", ExitCodes.Usage, "'bad::ref' is not a valid image reference", ["verify", "bad::ref"] },
        { "load-sign-oci: no archive", ExitCodes.Usage, "does not exist", ["load-sign-oci", $"{Tmp}/absent.tar.xz", "amd64", "me@example.test", "--registry", "http://127.0.0.1:9"] },
        { "save-oci: no image", ExitCodes.Usage, "save-oci needs <arch> and at least one <image>, or --kubernetes VERSION", ["save-oci", $"{Tmp}/out", "amd64"] },
        { "create-policy: not an address", ExitCodes.Usage, "not an IPv4 address: foo", ["create-policy", "foo", "--root", $"{Tmp}/root"] },
        { "create-policy: name with a space", ExitCodes.Usage, "not a host name: 'BAD NAME'", ["create-policy", "192.168.122.70", "--registry-name", "BAD NAME", "--root", $"{Tmp}/root"] },
        { "create-policy: name with a port", ExitCodes.Usage, "give the port as --registry-port 5110", ["create-policy", "192.168.122.70", "--registry-name", "127.0.0.1:5110", "--root", $"{Tmp}/root"] },
        { "create-services: no root", ExitCodes.Usage, "no such directory", ["create-services", "--root", $"{Tmp}/absent"] },
        { "create-imagemakeruser: bad user", ExitCodes.Usage, "not a valid user name: BAD USER", ["create-imagemakeruser", "BAD USER", "--root", $"{Tmp}/root"] },
        { "create-podmanusers: bad user", ExitCodes.Usage, "not a valid user name: BAD USER", ["create-podmanusers", "BAD USER", "--root", $"{Tmp}/root"] },
        { "kubeadm init: no advertise address", ExitCodes.Usage, "Option '--apiserver-advertise-address' is required", ["kubeadm", "init", "--root", $"{Tmp}/root"] },
        { "kubeadm init: unknown release", ExitCodes.Usage, "no built-in image tags for Kubernetes v1.31.0", ["kubeadm", "init", "--apiserver-advertise-address", "192.168.122.80", "--kubernetes-version", "v1.31.0", "--root", $"{Tmp}/root", "--dry-run"] },
        { "haproxy-config: no masters", ExitCodes.Usage, "Required argument missing", ["haproxy-config"] },
        { "no verb", ExitCodes.Usage, "(u7s --help)", [] },
        { "unknown verb", ExitCodes.Usage, "Unrecognized command or argument 'frobnicate'", ["frobnicate"] },
        { "misspelt flag: the nearest one suggested", ExitCodes.Usage, "did you mean --force for --forse? (u7s sign --help)", ["sign", "registry.local/app:1", "--key", "a@b", "--forse"] },
        { "misspelt verb: the nearest one suggested", ExitCodes.Usage, "did you mean verify for verfiy?", ["verfiy", "registry.local/app:1"] },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task BadInput_OneLineOnStderr(string name, int exitCode, string expected, string[] arguments)
    {
        var result = await U7sProcess.RunAsync(arguments.Select(a => a.Replace(Tmp, _dir.Path, StringComparison.Ordinal)));

        AssertOneLine(name, result, exitCode, expected);
    }

    [Fact]
    public async Task KubeadmPassThrough_KubeadmNotInstalled_OneLine()
    {
        var result = await U7sProcess.RunAsync(["kubeadm", "version"], new Dictionary<string, string?> { ["PATH"] = _dir.Combine("empty-path") });

        AssertOneLine("kubeadm version", result, ExitCodes.Unavailable, "kubeadm is not installed (not found on PATH)");
    }

    [Fact]
    public async Task Serve_RegistryPortInUse_OneLineNoHostLogs()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var registry = await U7sProcess.RunAsync(Serve($"127.0.0.1:{port}", "127.0.0.1:0"));
        var sigstore = await U7sProcess.RunAsync(Serve("127.0.0.1:0", $"127.0.0.1:{port}"));

        AssertOneLine("serve, registry port in use", registry, ExitCodes.Unavailable, $"cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use");
        AssertOneLine("serve, signature store port in use", sigstore, ExitCodes.Unavailable, $"cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use");
    }

    [RequiresRootFact("setpriv")]
    public async Task Serve_PrivilegedPortAsNonRoot_OneLineNamingTheFix()
    {
        var home = NobodyHome();
        var result = await U7sProcess.RunAsync(Serve("127.0.0.1:80", "127.0.0.1:0", home), unprivilegedHome: home);

        AssertOneLine("serve on :80 as nobody", result, ExitCodes.Unavailable, "cannot listen: Permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE");
    }

    [RequiresRootFact("setpriv")]
    public async Task Serve_DataRootOfAnotherUser_OneLine()
    {
        Directory.CreateDirectory(_dir.Combine("d"));

        var result = await U7sProcess.RunAsync(Serve("127.0.0.1:0", "127.0.0.1:0"), unprivilegedHome: NobodyHome());

        AssertOneLine("serve as nobody on root's data", result, ExitCodes.Unavailable, "cannot create the data directories: Access to the path");
    }

    [RequiresRootFact("setpriv")]
    public async Task Gc_DataRootUnreadable_OneLine()
    {
        var data = _dir.Combine("private", "data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(_dir.Combine("private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await U7sProcess.RunAsync(["gc", "--data", data], unprivilegedHome: NobodyHome());

        AssertOneLine("gc as nobody on a 0700 tree", result, ExitCodes.Unavailable, $"cannot read the data root '{data}': permission denied");
    }

    [RequiresRootFact("setpriv")]
    public async Task Gc_DataRootReadOnlyForUser_OneLineNotTheLockStack()
    {
        var data = _dir.Combine("d");
        Directory.CreateDirectory(Path.Join(data, "blobs"));
        OpenToOthers(_dir.Path, writable: false);
        OpenToOthers(data, writable: false);

        var result = await U7sProcess.RunAsync(["gc", "--data", data, "--dry-run"], unprivilegedHome: NobodyHome());

        AssertOneLine("gc as nobody on a read-only tree", result, ExitCodes.Unavailable, $"cannot collect in {data}: Access to the path");
    }

    [RequiresRootFact("setpriv")]
    public async Task KubeadmJoinDryRun_RootOnlyJoinDataAsNonRoot_OneLine()
    {
        var joinData = _dir.Combine("root", "etc", "u7s", "kubeadm-join.json");
        Directory.CreateDirectory(Path.GetDirectoryName(joinData)!);
        File.WriteAllText(joinData, "{}");
        File.SetUnixFileMode(joinData, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var directory in new[] { "root", "root/etc", "root/etc/u7s" })
        {
            OpenToOthers(_dir.Combine(directory), writable: false);
        }

        var result = await U7sProcess.RunAsync(["kubeadm", "join", "--dry-run", "--root", _dir.Combine("root")], unprivilegedHome: NobodyHome());

        AssertOneLine("kubeadm join --dry-run as nobody", result, ExitCodes.Refused, $"Access to the path '{joinData}' is denied. (run as root)");
    }

    public void Dispose() => _dir.Dispose();

    private static void AssertOneLine(string name, ProcessResult result, int exitCode, string expected)
    {
        var what = $"{name}: exit {result.ExitCode}\nstdout: {result.StandardOutput}\nstderr: {result.StandardError}";
        Assert.True(result.ExitCode == exitCode, what);
        Assert.True(result.StandardOutput.Length == 0, what);
        Assert.True(result.StandardError.StartsWith("u7s: ", StringComparison.Ordinal) && result.StandardError.EndsWith('\n') && result.StandardError.Count(c => c == '\n') == 1, what);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
    }

    private static void OpenToOthers(string path, bool writable)
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(path, writable ? mode | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite : mode);
    }

    private string[] Serve(string registry, string sigstore, string? under = null) =>
        ["serve", "--data", Path.Join(under ?? _dir.Path, "d"), "--sigstore-root", Path.Join(under ?? _dir.Path, "s"), "--registry-listen", registry, "--sigstore-listen", sigstore];

    // nobody needs a HOME it may write, under a path it may traverse.
    private string NobodyHome()
    {
        OpenToOthers(_dir.Path, writable: false);
        var home = _dir.Combine("home");
        Directory.CreateDirectory(home);
        OpenToOthers(home, writable: true);
        return home;
    }
}
