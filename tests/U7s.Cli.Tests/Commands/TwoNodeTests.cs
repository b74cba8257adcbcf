using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The README's podsec walkthrough for real nodes, run as written with its default commands on two nodes: each a
/// <see cref="PrivateHost"/> (private /etc, /var, /home, /root, /run and so container storage) in its own network
/// namespace, joined by one veth pair (<see cref="NodeNetwork"/>). The registry node runs <c>create-policy --role
/// registry</c>, <c>create-imagemakeruser</c>, <c>serve</c> and, as the imagemaker through <c>runuser</c>,
/// <c>load-sign-oci</c> with its default target <c>http://registry.local</c> (this node's own address, so a push
/// from this host). The worker runs <c>create-policy &lt;registry-ip&gt; --role node</c> on a fresh /etc, pulls with
/// real podman (signed: pulled; unsigned, corrupted signature: refused), is refused a push of its own, runs
/// <c>kubeadm join --preflight-only</c> and <c>status</c> with its policy's verdicts. This machine's files and kernel
/// settings are the same afterwards.
/// </summary>
public sealed class TwoNodeTests : IDisposable
{
    /// <summary>Both node scripts start with this: <c>u7s</c> as the installed program would be, and a private /run (podman's run root).</summary>
    private const string NodePrologue = """
        dll="$1"; registry_ip="$2"; shared="$3"
        mkdir -p "$work/bin"
        printf '#!/bin/sh\nexport DOTNET_CLI_HOME="${HOME:-/var/tmp}" DOTNET_NOLOGO=1\nexec dotnet %s "$@"\n' "$dll" > "$work/bin/u7s"
        chmod 0755 "$work/bin/u7s"
        export PATH="$work/bin:$PATH" TMPDIR=/var/tmp
        mount -t tmpfs -o mode=0755,size=64m u7s-run /run
        report() { printf 'RESULT %s %s\n' "$1" "$2"; }
        # Waits for the other node's mark, and gives up as soon as the other node stopped without it.
        wait_for() { for _ in $(seq 1800); do [ -e "$1" ] && return 0; [ -e "$2" ] && break; sleep 0.1; done; echo "no $1" >&2; return 1; }
        pod() { podman --storage-driver vfs --events-backend none "$@"; }

        """;

    // Registry node: the walkthrough's first half, then serves until the worker is done.
    private const string RegistryScript = NodePrologue + """
        trap 'touch "$shared/registry-done"' EXIT
        u7s create-policy "$registry_ip" --role registry > "$shared/registry-policy.out"
        u7s create-imagemakeruser imagemaker > "$shared/imagemaker.out"
        u7s serve > "$shared/serve.out" 2> "$shared/serve.err" &
        serve=$!
        trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; touch "$shared/registry-done"' EXIT
        until curl -sf http://registry.local/readyz > /dev/null; do kill -0 $serve; sleep 0.1; done
        u7s demo-archive "$shared/amd64.tar.xz" > /dev/null
        chmod 0644 "$shared/amd64.tar.xz"
        set +e
        runuser -u imagemaker -- u7s load-sign-oci "$shared/amd64.tar.xz" amd64 "imagemaker@$(hostname)" > "$shared/load.out" 2>&1
        report load-exit $?
        # A push from this host to registry.local (its own address) needs no login; an unsigned image, as the worker must refuse it.
        printf '{"default":[{"type":"insecureAcceptAnything"}]}' > "$shared/accept.json"
        skopeo --policy "$shared/accept.json" copy -q --dest-tls-verify=false "oci:$shared/unsigned:v1" docker://registry.local/k8s-c10f1/unsigned:v1 > "$shared/local-push.out" 2>&1
        report local-push-exit $?
        set -e
        # The pause image again under two more names (same digest): one with its signature cut short, one with
        # etcd's signature, which is valid but for another digest.
        pause=$(ls -d /var/sigstore/sigstore/k8s-c10f1/pause@sha256=*)
        etcd=$(ls -d /var/sigstore/sigstore/k8s-c10f1/etcd@sha256=*)
        for name in corrupted swapped; do
          skopeo --policy "$shared/accept.json" copy -q --remove-signatures --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
            docker://registry.local/k8s-c10f1/pause:3.9 "docker://registry.local/k8s-c10f1/$name:v1"
          mkdir -p "/var/sigstore/sigstore/k8s-c10f1/$name@${pause##*@}"
        done
        head -c 40 "$pause/signature-1" > "/var/sigstore/sigstore/k8s-c10f1/corrupted@${pause##*@}/signature-1"
        cp "$etcd/signature-1" "/var/sigstore/sigstore/k8s-c10f1/swapped@${pause##*@}/signature-1"
        touch "$shared/registry-ready"
        wait_for "$shared/worker-done" "$shared/worker-done"
        set +e
        u7s status --policy /etc/containers/policy.json > "$shared/registry-status.out" 2>&1
        report registry-status-exit $?
        report registry-forward "$(cat /proc/sys/net/ipv4/ip_forward)"
        """;

    // Worker: a fresh node that knows only the registry's address.
    private const string WorkerScript = NodePrologue + """
        trap 'touch "$shared/worker-done"' EXIT
        wait_for "$shared/registry-ready" "$shared/registry-done"
        report forward-before "$(cat /proc/sys/net/ipv4/ip_forward)"
        set +e
        u7s create-policy "$registry_ip" --role node > "$shared/worker-policy.out" 2>&1
        report worker-policy-exit $?
        report forward-after "$(cat /proc/sys/net/ipv4/ip_forward)"
        pod pull -q registry.local/k8s-c10f1/pause:3.9 > "$shared/pull-signed.out" 2>&1
        report pull-signed-exit $?
        pod image exists registry.local/k8s-c10f1/pause:3.9
        report pulled-exists $?
        pod pull -q registry.local/k8s-c10f1/unsigned:v1 > "$shared/pull-unsigned.out" 2>&1
        report pull-unsigned-exit $?
        pod pull -q registry.local/k8s-c10f1/corrupted:v1 > "$shared/pull-corrupted.out" 2>&1
        report pull-corrupted-exit $?
        pod pull -q registry.local/k8s-c10f1/swapped:v1 > "$shared/pull-swapped.out" 2>&1
        report pull-swapped-exit $?
        printf '{"default":[{"type":"insecureAcceptAnything"}]}' > "$shared/worker-accept.json"
        skopeo --policy "$shared/worker-accept.json" copy -q --dest-tls-verify=false "oci:$shared/unsigned:v1" docker://registry.local/k8s-c10f1/from-worker:v1 > "$shared/peer-push.out" 2>&1
        report peer-push-exit $?
        u7s kubeadm join "$registry_ip:6443" --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash "sha256:$(printf '%064d' 0)" --preflight-only > "$shared/join.out" 2>&1
        report join-exit $?
        u7s status --registry-url http://registry.local --policy /etc/containers/policy.json > "$shared/worker-status.out" 2>&1
        report worker-status-exit $?
        """;

    private readonly TempDirectory _work = new("u7s-two-nodes");

    public void Dispose() => _work.Dispose();

    [RequiresPrivateHostFact("skopeo", "podman", "curl", "dotnet", TwoNodes = true)]
    public async Task PodsecWalkthrough_DefaultCommands_SignedPullsUnsignedAndCorruptedRefused_HostUntouched()
    {
        TestImageLayout.Write(_work.Combine("unsigned"), "v1", "signed by nobody\n");
        File.SetUnixFileMode(_work.Path, (UnixFileMode)0x1ED); // 0755: the imagemaker reads the archive and runs u7s from here.
        var host = PrivateHost.HostState();
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var network = await NodeNetwork.CreateAsync("twonode");
        // Each node copies /etc into its own folder; they meet in the shared one (outputs, the archive, "ready" marks).
        string[] arguments = [U7sProcess.Dll, NodeNetwork.FirstAddress, _work.Path];
        var registry = PrivateHost.RunAsync(network.First, NodeFolder("registry"), RegistryScript, arguments, TimeSpan.FromMinutes(2));
        var worker = PrivateHost.RunAsync(network.Second, NodeFolder("worker"), WorkerScript, arguments, TimeSpan.FromMinutes(2));
        var runs = await Task.WhenAll(registry, worker);
        var elapsed = started.Elapsed;

        var why = string.Join("\n", runs.Select(r => $"exit {r.ExitCode}\n{r.StandardOutput}\n{r.StandardError}"))
            + string.Concat(new[] { "registry-policy.out", "imagemaker.out", "serve.err", "load.out", "local-push.out", "worker-policy.out", "pull-signed.out", "join.out", "worker-status.out", "registry-status.out" }
                .Select(f => $"\n--- {f}\n{Read(f)}"));
        Assert.True(runs.All(r => r.ExitCode == 0), why);
        var results = runs.SelectMany(r => r.StandardOutput.Split('\n')).Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 3)).ToDictionary(p => p[1], p => p.Length > 2 ? p[2].Trim() : string.Empty);
        string Result(string key) => results.TryGetValue(key, out var value) ? value : "(missing)";

        // The imagemaker's load with its defaults: registry.local is this host, so no login is needed.
        Assert.True(Result("load-exit") == "0", why);
        Assert.True(Result("local-push-exit") == "0", why);

        // The worker's create-policy reached the store at the registry's address before its hosts line existed,
        // and set the running kernel's ip_forward it writes for boot.
        Assert.True(Result("worker-policy-exit") == "0", why);
        Assert.Contains("trusting key", Read("worker-policy.out"), StringComparison.Ordinal);
        Assert.Equal("0", Result("forward-before"));
        Assert.Equal("1", Result("forward-after"));
        Assert.Contains("net.ipv4.ip_forward = 1: applied to the running kernel (was 0)", Read("worker-policy.out"), StringComparison.Ordinal);
        Assert.Equal("1", Result("registry-forward"));

        // Real podman under the node's own policy and registries.d.
        Assert.True(Result("pull-signed-exit") == "0", why);
        Assert.Equal("0", Result("pulled-exists"));
        Assert.NotEqual("0", Result("pull-unsigned-exit"));
        Assert.Contains("signature", Read("pull-unsigned.out"), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual("0", Result("pull-corrupted-exit"));
        Assert.Contains("signature", Read("pull-corrupted.out"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("no signature exists", Read("pull-corrupted.out"), StringComparison.Ordinal);
        Assert.NotEqual("0", Result("pull-swapped-exit"));
        Assert.Contains("does not match", Read("pull-swapped.out"), StringComparison.OrdinalIgnoreCase);

        // Another host is never "this host": its push needs a login.
        Assert.NotEqual("0", Result("peer-push-exit"));
        Assert.Contains("authentication required", Read("peer-push.out"), StringComparison.OrdinalIgnoreCase);

        Assert.True(Result("join-exit") == "0", Read("join.out"));
        Assert.Contains("preflight passed", Read("join.out"), StringComparison.Ordinal);
        if (Tool.Find("kubeadm") is null)
        {
            // The real run would stop for want of kubeadm: the preflight says so now.
            Assert.Contains("warning: kubeadm is not installed", Read("join.out"), StringComparison.Ordinal);
        }

        // Verdicts on both nodes, each under its own policy.
        // Exit 4: the unsigned, corrupted and swapped images are refused, which status reports as verify does.
        Assert.True(Result("worker-status-exit") == "4", Read("worker-status.out"));
        AssertVerdicts(Read("worker-status.out"));
        Assert.Contains("verdicts under this node's policy /etc/containers/policy.json", Read("worker-status.out"), StringComparison.Ordinal);
        Assert.True(Result("registry-status-exit") == "4", Read("registry-status.out"));
        AssertVerdicts(Read("registry-status.out"));

        Assert.Equal(host, PrivateHost.HostState());
        Assert.True(elapsed < TimeSpan.FromMinutes(2), $"took {elapsed}");
    }

    private static void AssertVerdicts(string status)
    {
        var rows = status.Split('\n');
        Assert.Contains(rows, l => l.StartsWith("k8s-c10f1/pause\t3.9\t", StringComparison.Ordinal) && l.Contains("\taccepted (scope registry.local", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("k8s-c10f1/unsigned\tv1\t", StringComparison.Ordinal) && l.Contains("\trefused", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("k8s-c10f1/corrupted\tv1\t", StringComparison.Ordinal) && l.Contains("\trefused", StringComparison.Ordinal) && l.Contains("signature-1: corrupted (not a readable OpenPGP signature): ", StringComparison.Ordinal) && !l.Contains("unknown key", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("k8s-c10f1/swapped\tv1\t", StringComparison.Ordinal) && l.Contains("\trefused", StringComparison.Ordinal));
    }

    private string NodeFolder(string name)
    {
        var folder = Directory.CreateDirectory(_work.Combine(name)).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0x1ED);
        return folder;
    }

    private string Read(string name) => File.Exists(_work.Combine(name)) ? File.ReadAllText(_work.Combine(name)) : string.Empty;
}
