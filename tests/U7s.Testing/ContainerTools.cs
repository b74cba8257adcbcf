namespace U7s.Testing;

/// <summary>
/// skopeo and podman driven as INTEROP.md describes: private policy, registries.d and storage under a
/// temp directory, nothing read from or written to /etc/containers.
/// </summary>
public sealed class ContainerTools : IDisposable
{
    private readonly TempDirectory _root = new("u7s-tools");

    public ContainerTools()
    {
        File.WriteAllText(AnyPolicy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        foreach (var dir in new[] { "pm/home/.config/containers", "pm/root", "pm/runroot", "pm/tmp", "rd-empty" })
        {
            System.IO.Directory.CreateDirectory(_root.Combine(dir));
        }

        File.WriteAllText(_root.Combine("pm/storage.conf"), $"[storage]\ndriver = \"vfs\"\nrunroot = \"{_root.Combine("pm/runroot")}\"\ngraphroot = \"{_root.Combine("pm/root")}\"\n");
        File.WriteAllText(_root.Combine("pm/containers.conf"), "[engine]\nevents_logger = \"none\"\ncgroup_manager = \"cgroupfs\"\n");
    }

    public string Directory => _root.Path;

    /// <summary>A policy that accepts anything (the push side, and pulls that test only transport).</summary>
    public string AnyPolicy => _root.Combine("policy-any.json");

    public string NewDirectory(string prefix)
    {
        var path = _root.Combine($"{prefix}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs skopeo with the given global options first (as skopeo requires), then the command.</summary>
    public Task<ProcessResult> SkopeoAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("skopeo", arguments, new Dictionary<string, string?> { ["TMPDIR"] = _root.Combine("pm/tmp") });

    /// <summary>Writes a registries.conf that marks <paramref name="hostPort"/> insecure (plain HTTP).</summary>
    public string RegistriesConf(string hostPort)
    {
        var path = _root.Combine($"registries-{hostPort.Replace(':', '_')}.conf");
        File.WriteAllText(path, $"unqualified-search-registries = []\n[[registry]]\nlocation = \"{hostPort}\"\ninsecure = true\n");
        return path;
    }

    /// <summary>Runs podman with private vfs storage and a temporary HOME.</summary>
    public Task<ProcessResult> PodmanAsync(string registriesConf, params string[] arguments)
    {
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = _root.Combine("pm/home"),
            ["TMPDIR"] = _root.Combine("pm/tmp"),
            ["CONTAINERS_REGISTRIES_CONF"] = registriesConf,
            ["CONTAINERS_STORAGE_CONF"] = _root.Combine("pm/storage.conf"),
            ["CONTAINERS_CONF"] = _root.Combine("pm/containers.conf"),
            ["XDG_RUNTIME_DIR"] = _root.Combine("pm/runroot"),
        };
        string[] global = ["--storage-driver", "vfs", "--root", _root.Combine("pm/root"), "--runroot", _root.Combine("pm/runroot")];
        return ExternalProcess.RunAsync("podman", [.. global, .. arguments], env);
    }

    public void Dispose() => _root.Dispose();
}
