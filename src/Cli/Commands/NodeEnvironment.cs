using U7s.Cluster.Accounts;
using U7s.Cluster.Kubeadm;
using U7s.Cluster.Node;
using U7s.Cluster.Users;
using U7s.Oci.Policy;

namespace U7s.Cli.Commands;

/// <summary>
/// What the node verbs need from the machine: programs, clock, HTTP, privilege and systemd checks,
/// and the seams other parts of U7s provide (signer keys, image verification). The default is the
/// real machine; tests pass their own.
/// </summary>
internal sealed class NodeEnvironment
{
    private readonly IFileOwnership? _ownership;

    public IProcessRunner Runner { get; init; } = new ProcessRunner();

    /// <summary>
    /// Owner and immutable flag by descriptor: the kernel's calls, unless <see cref="Runner"/> also stands in for
    /// them (the tests' recording runner, which records the chown and chattr these replace).
    /// </summary>
    public IFileOwnership Ownership
    {
        get => _ownership ?? Runner as IFileOwnership ?? DescriptorOwnership.Instance;
        init => _ownership = value;
    }

    /// <summary>Reads key fingerprints for create-policy's trust check; U7s's OpenPGP code unless a test gives another.</summary>
    public IKeyInspector KeyInspector { get; init; } = new Wiring.OpenPgpKeyInspector();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The HTTP client of one run, logged in as the run's options say.</summary>
    public Func<Wiring.Login.RegistryLogin, HttpClient> CreateHttpClient { get; init; } = login => Wiring.RemoteHttp.Create(TimeSpan.FromSeconds(30), login);

    /// <summary>Whether the process may change the real node (root).</summary>
    public Func<bool> IsPrivileged { get; init; } = () => Environment.IsPrivilegedProcess;

    /// <summary>Whether an address is configured on this host (registry-node detection).</summary>
    public Func<string, bool> IsLocalAddress { get; init; } = Cluster.Node.LocalAddresses.Contains;

    /// <summary>systemd's "booted with systemd" marker, always on the real root, never the staging root.</summary>
    public string SystemdMarker { get; init; } = "/run/systemd/system";

    /// <summary>Generates or reuses imagemaker signing keys; null means U7s's own key store (<see cref="Wiring.SigstoreSignerKeyProvisioner"/>).</summary>
    public ISignerKeyProvisioner? Signers { get; init; }

    /// <summary>Judges the images the preflight requires; null means the real judge (<see cref="Wiring.NodeImageJudge"/>): this node's policy and lookaside.</summary>
    public IImageJudge? ImageJudge { get; init; }

    public IKubeadmRunner? Kubeadm { get; init; }

    /// <summary>Host name used in default signer e-mail addresses (<c>user@host</c>).</summary>
    public string HostName { get; init; } = System.Net.Dns.GetHostName();

    /// <summary>Path of the running u7s executable, written into the systemd unit.</summary>
    public string ExecutablePath { get; init; } = DefaultExecutable();

    // Under `dotnet u7s.dll` the process is the dotnet host, which cannot be the unit's ExecStart.
    private static string DefaultExecutable() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) != "dotnet" ? path : "/usr/bin/u7s";
}
