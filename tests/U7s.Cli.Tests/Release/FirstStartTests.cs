using System.Text.RegularExpressions;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// Each way the README installs the amd64 release (the .deb with its scripts, the .rpm with its
/// scriptlets, the tarball by the README's own steps), done for real on a <see cref="NodeSandbox"/>, and
/// then the first start as the installed unit says: its <c>ExecStart</c> verbatim, as its <c>User=</c>,
/// with only its ambient capability, no new privileges, and under the seccomp filter systemd applies
/// for its <c>MemoryDenyWriteExecute=yes</c> (no systemd runs here to apply the unit itself). The
/// service must answer on :80, write the data root, and serve a signed pull by skopeo on the node.
/// </summary>
public sealed partial class FirstStartTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-first-start");

    public void Dispose() => _temp.Dispose();

    [RequiresReleaseFact("skopeo", "unshare", "chroot", "ip", "setpriv", "clang", "dpkg")]
    public async Task Deb_InstalledWithItsScripts_FirstStartAsTheUnitSays_ServesASignedPull()
    {
        var output = await RunAsync($"dpkg -i {ReleaseArtifacts.Deb} >/dev/null", "/lib/systemd/system/u7s.service");

        AssertFirstStart(output);
    }

    [RequiresReleaseFact("skopeo", "unshare", "chroot", "ip", "setpriv", "clang", "rpm")]
    public async Task Rpm_InstalledWithItsScriptlets_FirstStartAsTheUnitSays_ServesASignedPull()
    {
        // This host's rpm database knows no glibc or liblzma package: the sonames are checked elsewhere.
        var output = await RunAsync($"rpm -i --nodeps {ReleaseArtifacts.Rpm}", "/lib/systemd/system/u7s.service");

        AssertFirstStart(output);
    }

    [RequiresReleaseFact("skopeo", "unshare", "chroot", "ip", "setpriv", "clang", "tar")]
    public async Task Tarball_ByTheReadmesSteps_FirstStartAsTheUnitSays_ServesASignedPull()
    {
        var unpacked = Directory.CreateDirectory(_temp.Combine("tarball")).FullName;
        (await ExternalProcess.RunAsync("tar", ["-xzf", ReleaseArtifacts.Tarball, "-C", unpacked])).EnsureSuccess("tar -x");
        var steps = ReadmeTarballSteps();

        var output = await RunAsync($"cd {Path.Combine(unpacked, ReleaseArtifacts.TarballFolder("amd64"))}\n{steps}", "/etc/systemd/system/u7s.service");

        Assert.Contains("install -m 0755 u7s /usr/bin/u7s", steps, StringComparison.Ordinal);
        AssertFirstStart(output);
    }

    [RequiresToolFact("clang", "dotnet")]
    public async Task DenyWriteExecuteFilter_StopsTheJitBuild()
    {
        // The control for the first starts above: the filter they run under does stop code that writes code.
        var deny = await CompileDenyWriteExecuteAsync();

        var free = await ExternalProcess.RunAsync("dotnet", [U7sProcess.Dll, "--version"]);
        var filtered = await ExternalProcess.RunAsync(deny, ["dotnet", U7sProcess.Dll, "--version"]);

        Assert.True(free.ExitCode == 0, free.StandardError);
        Assert.NotEqual(0, filtered.ExitCode);
        Assert.DoesNotContain(ReleaseArtifacts.Version, filtered.StandardOutput, StringComparison.Ordinal);
    }

    private static void AssertFirstStart(string output)
    {
        // One line per check of the script below, in its order.
        Assert.Matches(@"account: uid=\d+\(u7s\) gid=\d+\(u7s\) groups=.*\(podman_dev\)", output);
        string[] lines =
        [
            "tree: /var/lib/u7s 750 u7s:u7s",
            "tree: /var/sigstore 755 root:root",
            "tree: /var/sigstore/sigstore 2775 root:podman_dev",
            "exec: /usr/bin/u7s serve --config /etc/u7s/u7s.yaml",
            "memory: deny write+execute",
            "healthz: ok",
            "serving as: u7s, seccomp 2, capabilities 0000000000000400",
            "data root: pushed blobs owned by u7s",
            "signature tree: the service adds u7s:podman_dev",
            "pull: verified",
            "unsigned pull: refused",
            "writable+executable mappings: 0",
            "still serving",
        ];
        Assert.All(lines, line => Assert.Contains(line + "\n", output, StringComparison.Ordinal));
    }

    /// <summary>
    /// <paramref name="install"/> on a fresh sandbox, then the unit at <paramref name="unit"/> started as it
    /// says; every check prints one line (asserted by the caller), and any failing step fails the script.
    /// </summary>
    private async Task<string> RunAsync(string install, string unit)
    {
        var deny = await CompileDenyWriteExecuteAsync();
        var signed = _temp.Combine("signed");
        var unsigned = _temp.Combine("unsigned");
        TestImageLayout.Write(signed, "img", "first-start");
        TestImageLayout.Write(unsigned, "img", "first-start-unsigned");
        var anyPolicy = _temp.Combine("policy-any.json");
        await File.WriteAllTextAsync(anyPolicy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        // A node's policy and registries.d, as create-policy writes them for a registry on :80 and :81.
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"127.0.0.1\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/var/sigstore/keys/imagemaker.pgp\"}]}}}");
        var registriesD = Directory.CreateDirectory(_temp.Combine("registries.d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(registriesD, "node.yaml"), "docker:\n  127.0.0.1:\n    lookaside: http://127.0.0.1:81/sigstore/\n");
        var keys = Path.GetDirectoryName(SampleKeys.PathOf("signer.sec.asc"))!;

        var script = $$"""
            set -euo pipefail
            {{install}}
            echo "account: $(id u7s)"
            stat -c 'tree: %n %a %U:%G' /var/lib/u7s /var/sigstore /var/sigstore/sigstore
            unit={{unit}}
            exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
            user=$(sed -n 's/^User=//p' "$unit")
            cap=$(sed -n 's/^AmbientCapabilities=CAP_//p' "$unit" | tr A-Z a-z)
            echo "exec: $exec_start"
            deny=()
            if grep -qx 'MemoryDenyWriteExecute=yes' "$unit"; then deny=({{deny}}); echo "memory: deny write+execute"; fi
            # systemd starts a system service in / (WorkingDirectory= unset).
            cd /
            setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=+$cap --ambient-caps=+$cap --bounding-set=-all,+$cap --no-new-privs \
              "${deny[@]}" $exec_start >/tmp/serve.log 2>&1 &
            pid=$!
            trap 'kill $pid 2>/dev/null || true' EXIT
            for i in $(seq 150); do
              curl -sf http://127.0.0.1/healthz >/dev/null && break
              kill -0 $pid 2>/dev/null || { echo "u7s serve exited:"; cat /tmp/serve.log; exit 1; }
              sleep 0.2
            done
            echo "healthz: $(curl -sf http://127.0.0.1/healthz)"
            echo "serving as: $(ps -o user= -p $pid), seccomp $(sed -n 's/^Seccomp:\s*//p' /proc/$pid/status), capabilities $(sed -n 's/^CapEff:\s*//p' /proc/$pid/status)"

            u7s keys import {{keys}}/signer.sec.asc --key-dir /root/u7s-keys --publish --sigstore-root /var/sigstore --user imagemaker >/dev/null
            skopeo --policy {{anyPolicy}} copy -q --dest-tls-verify=false oci:{{signed}}:img docker://127.0.0.1/release/app:v1
            skopeo --policy {{anyPolicy}} copy -q --dest-tls-verify=false oci:{{unsigned}}:img docker://127.0.0.1/release/unsigned:v1
            owners=$(find /var/lib/u7s -type f -path '*blobs*' -printf '%u\n' | sort -u)
            [ "$owners" = u7s ] && echo "data root: pushed blobs owned by u7s"
            setpriv --reuid="$user" --regid="$user" --init-groups mkdir /var/sigstore/sigstore/added-by-service
            echo "signature tree: the service adds $(stat -c %U:%G /var/sigstore/sigstore/added-by-service)"
            u7s sign 127.0.0.1/release/app:v1 --key {{SampleKeys.SignerEmail}} --key-dir /root/u7s-keys --sigstore-root /var/sigstore >/dev/null
            skopeo --policy {{policy}} --registries.d {{registriesD}} copy -q --src-tls-verify=false docker://127.0.0.1/release/app:v1 dir:/tmp/pulled
            echo "pull: verified"
            if skopeo --policy {{policy}} --registries.d {{registriesD}} copy -q --src-tls-verify=false docker://127.0.0.1/release/unsigned:v1 dir:/tmp/refused 2>/tmp/refused.log; then
              echo "unsigned pull: accepted"
            elif grep -q 'A signature was required, but no signature exists' /tmp/refused.log; then
              echo "unsigned pull: refused"
            fi
            echo "writable+executable mappings: $(awk '$2 ~ /w.x/' /proc/$pid/maps | wc -l)"
            kill -0 $pid && echo "still serving"
            """;
        var result = await NodeSandbox.RunAsync(_temp.Combine("node"), script, _temp.Path, keys, ReleaseArtifacts.Directory!);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>The seccomp filter of systemd's MemoryDenyWriteExecute=yes as a launcher (deny-write-execute.c), built for this host.</summary>
    private async Task<string> CompileDenyWriteExecuteAsync()
    {
        var deny = _temp.Combine("deny-write-execute");
        (await ExternalProcess.RunAsync("clang", ["-O2", "-Wall", "-Werror", "-o", deny, Path.Combine(TestRepository.Root, "tests/U7s.Cli.Tests/Release/deny-write-execute.c")]))
            .EnsureSuccess("clang deny-write-execute.c");
        return deny;
    }

    /// <summary>The README's shell block for installing from the tarball (in "Install on a node").</summary>
    private static string ReadmeTarballSteps()
    {
        var readme = File.ReadAllText(Path.Combine(TestRepository.Root, "README.md"));
        var block = TarballBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```sh block starting with '# From the tarball'");
        return block.Groups["steps"].Value;
    }

    [GeneratedRegex(@"```sh\n(?<steps># From the tarball[^\n]*\n(?:(?!```)[^\n]*\n)*)```")]
    private static partial Regex TarballBlock();
}
