using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The node verbs as root runs them on a node: no <c>--root</c>, real users made by useradd, the imagemaker acting
/// through <c>runuser</c>, all inside a <see cref="PrivateHost"/> so this machine's /etc, /home and /var are never
/// touched. An imagemaker plants links in her home and in the served <c>keys/</c> aimed at root's files; root's
/// next <c>create-imagemakeruser</c> must leave those files exactly as they were. Then the trust that run wrote is
/// used as a node uses it: the node's own policy by <c>u7s serve</c>'s enforcement and <c>u7s status</c>, the
/// root-owned keys by <c>u7s verify</c>, which rejects a key the imagemaker published herself.
/// </summary>
public sealed class RealHostLayoutTests : IDisposable
{
    private const string Script = """
        dll="$1"; signed="$2"; unsigned="$3"
        u7s() { dotnet "$dll" "$@"; }
        report() { printf 'RESULT %s %s\n' "$1" "$2"; }
        state() { stat -c '%n %u:%g %a' /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/u7s-secret /etc/u7s-empty; sha256sum /etc/u7s-secret; }

        u7s create-policy 192.0.2.10 --role registry > "$work/policy.out"
        u7s create-imagemakeruser alice --key-algorithm ed25519 > "$work/alice.out"

        # Root-only files the imagemaker aims at.
        printf 'root only\n' > /etc/u7s-secret; chmod 0600 /etc/u7s-secret
        mkdir -m 0700 /etc/u7s-empty

        # alice (podman_dev) plants links in her home and in the served keys/.
        runuser -u alice -- bash -c 'set -e
          cd /home/alice/.config/containers
          rm policy.json; ln -s /etc/passwd policy.json
          rm registries.d/default.yaml; ln -s /etc/u7s-secret registries.d/default.yaml
          cd /var/sigstore/keys
          rm policy.json; ln -s /etc/shadow policy.json
          ln -s /etc/gshadow bob.pgp'
        before=$(state)
        u7s create-imagemakeruser bob@registry.local/team --key-algorithm ed25519 > "$work/bob.out"
        after=$(state)
        if [ "$before" = "$after" ]; then report root-files unchanged; else report root-files changed; printf '%s\n---\n%s\n' "$before" "$after" >&2; fi
        if grep -q -e '{' -e PGP /etc/passwd /etc/shadow /etc/group /etc/gshadow; then report account-files polluted; else report account-files clean; fi
        report alice-policy "$(stat -c '%F:%U' /home/alice/.config/containers/policy.json)"
        report alice-policy-names-team "$(grep -c 'registry.local/team' /home/alice/.config/containers/policy.json)"
        report alice-registries-d "$(stat -c '%F:%U' /home/alice/.config/containers/registries.d/default.yaml)"
        report served-policy "$(stat -c '%F:%U' /var/sigstore/keys/policy.json)"
        report served-bob "$(stat -c '%F:%U' /var/sigstore/keys/bob.pgp)"

        # A podman user whose config directory is a link to a root directory.
        useradd -m carol
        runuser -u carol -- bash -c 'rm -rf /home/carol/.config; ln -s /etc/u7s-empty /home/carol/.config'
        set +e; u7s create-podmanusers carol > "$work/carol.out" 2>&1; report carol-exit $?; set -e
        report empty-dir "$(stat -c '%u:%g:%a' /etc/u7s-empty):$(lsattr -d /etc/u7s-empty | awk '{ print ($1 ~ /i/) ? "immutable" : "mutable" }')"

        # What the node trusts, and who may change it.
        report trusted-dir "$(stat -c '%U:%G:%a' /etc/u7s/keys)"
        report trusted-keys "$(ls /etc/u7s/keys | tr '\n' ' ')"
        report policy-keys "$(grep -o '"/[^"]*\.pgp"' /etc/containers/policy.json | sort -u | tr '\n' ' ')"
        report served-keys "$(grep -o '"/[^"]*\.pgp"' /var/sigstore/keys/policy.json | sort -u | tr '\n' ' ')"

        # The registry enforces with the node's own policy (a symlink to a dated file naming /etc/u7s/keys).
        # dotnet itself in the background, not the u7s function: $! must be the server, or the trap kills only a subshell.
        mkdir -p /var/lib/u7s
        U7S_REGISTRY__ENFORCE__MODE=warn U7S_REGISTRY__ENFORCE__POLICY=/etc/containers/policy.json \
          dotnet "$dll" serve --data /var/lib/u7s --sigstore-root /var/sigstore --registry-listen 127.0.0.1:0 --sigstore-listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
        serve=$!
        trap 'kill $serve 2>/dev/null || true' EXIT
        for _ in $(seq 150); do grep -q 'registry on http' "$work/serve.out" && break; kill -0 $serve; sleep 0.2; done
        host=$(sed -n 's|.*registry on http://\([^/,]*\).*|\1|p' "$work/serve.out" | head -n 1)
        report serve-started "${host:+yes}"
        printf '{"default":[{"type":"insecureAcceptAnything"}]}' > "$work/accept.json"
        skopeo --policy "$work/accept.json" copy -q --dest-tls-verify=false "oci:$signed:v1" "docker://$host/team/app:v1"
        skopeo --policy "$work/accept.json" copy -q --dest-tls-verify=false "oci:$unsigned:v1" "docker://$host/team/unsigned:v1"
        bob=$(sed -n 's/^bob: signing key \([0-9A-F]*\) .*/\1/p' "$work/bob.out")
        u7s sign registry.local/team/app:v1 --key "$bob" --key-dir /home/bob/.local/share/u7s/keys --sigstore-root /var/sigstore --registry-url "http://$host" > /dev/null
        # alice publishes a key of her own into the served keys/ and signs with it.
        u7s keys generate --name Eve --email eve@example.test --algorithm ed25519 --no-passphrase --key-dir "$work/eve" --publish --sigstore-root /var/sigstore --user eve > "$work/eve.out"
        u7s sign registry.local/team/app:v1 --key eve@example.test --key-dir "$work/eve" --sigstore-root /var/sigstore --registry-url "http://$host" > /dev/null
        report bob-fingerprint "$bob"

        set +e
        u7s verify registry.local/team/app:v1 --registry-url "http://$host" --sigstore-root /var/sigstore > "$work/verify.out" 2>&1; report verify-exit $?
        u7s verify registry.local/team/app:v1 --registry-url "http://$host" --sigstore-root /var/sigstore --policy /etc/containers/policy.json > "$work/verify-policy.out" 2>&1; report verify-policy-exit $?
        u7s status --data /var/lib/u7s --sigstore-root /var/sigstore --policy /etc/containers/policy.json > "$work/status.out" 2>&1; report status-exit $?
        set -e
        """;

    private readonly TempDirectory _work = new("u7s-real-host");

    public void Dispose() => _work.Dispose();

    [RequiresPrivateHostFact("skopeo", "lsattr", "dotnet")]
    public async Task ImagemakerTraps_RootFilesUnchanged_AndTheWrittenTrustIsWhatNodeToolsUse()
    {
        var signed = _work.Combine("signed");
        var unsigned = _work.Combine("unsigned");
        TestImageLayout.Write(signed, "v1", "signed by bob\n");
        TestImageLayout.Write(unsigned, "v1", "signed by nobody\n");
        var hostFiles = PrivateHost.HostState();

        var run = await PrivateHost.RunAsync(_work.Path, Script, [U7sProcess.Dll, signed, unsigned], TimeSpan.FromMinutes(4));

        var why = $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{Read("serve.err")}\n{Read("carol.out")}";
        Assert.True(run.ExitCode == 0, why);
        var results = run.StandardOutput.Split('\n').Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 3)).ToDictionary(p => p[1], p => p.Length > 2 ? p[2].Trim() : string.Empty);

        // Item 1 and 3: nothing was written or chowned through a planted link; the names themselves were replaced.
        Assert.True(results["root-files"] == "unchanged", why);
        Assert.Equal("clean", results["account-files"]);
        Assert.Equal("regular file:alice", results["alice-policy"]);
        Assert.Equal("1", results["alice-policy-names-team"]);
        Assert.Equal("regular file:alice", results["alice-registries-d"]);
        Assert.Equal("regular file:root", results["served-policy"]);
        Assert.Equal("regular file:root", results["served-bob"]);
        Assert.Equal(ExitCodes.Refused.ToString(System.Globalization.CultureInfo.InvariantCulture), results["carol-exit"]);
        Assert.Contains("symbolic link", Read("carol.out"), StringComparison.Ordinal);
        Assert.Equal("0:0:700:mutable", results["empty-dir"]);

        // Item 4: the node trusts root-owned copies; the served layout stays podsec's.
        Assert.Equal("root:root:755", results["trusted-dir"]);
        Assert.Equal("alice.pgp bob.pgp", results["trusted-keys"]);
        Assert.Equal("\"/etc/u7s/keys/alice.pgp\" \"/etc/u7s/keys/bob.pgp\"", results["policy-keys"]);
        Assert.Equal("\"/var/sigstore/keys/alice.pgp\" \"/var/sigstore/keys/bob.pgp\"", results["served-keys"]);

        // Issue 23 item 3: the node's own policy is good enough for enforcement and status.
        Assert.Equal("yes", results["serve-started"]);
        Assert.DoesNotContain("untrusted", Read("serve.err"), StringComparison.OrdinalIgnoreCase);
        var status = Read("status.out");
        // team/unsigned is refused: status exits 4, as verify does.
        Assert.True(results["status-exit"] == "4", status);
        Assert.Contains(status.Split('\n'), l => l.StartsWith("team/app\tv1\t", StringComparison.Ordinal) && l.Contains("\taccepted (scope registry.local/team)\t", StringComparison.Ordinal));
        Assert.Contains(status.Split('\n'), l => l.StartsWith("team/unsigned\tv1\t", StringComparison.Ordinal) && l.Contains("\trefused (scope registry.local/team): A signature was required", StringComparison.Ordinal));

        // verify without --policy: bob's signature is ok, the self-published key's is not.
        var bob = results["bob-fingerprint"];
        var verify = Read("verify.out");
        Assert.True(results["verify-exit"] == "0", verify);
        var lines = verify.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("signature-1\t" + bob, StringComparison.Ordinal) && l.EndsWith("\tok", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("signature-2\t", StringComparison.Ordinal) && l.Contains("\trejected: ", StringComparison.Ordinal));
        Assert.Equal(1, lines.Count(l => l.EndsWith("\tok", StringComparison.Ordinal)));
        Assert.True(results["verify-policy-exit"] == "0", Read("verify-policy.out"));
        Assert.EndsWith("policy: accepted (scope registry.local/team)\n", Read("verify-policy.out"), StringComparison.Ordinal);

        Assert.Equal(hostFiles, PrivateHost.HostState());
    }

    private string Read(string name) => File.Exists(_work.Combine(name)) ? File.ReadAllText(_work.Combine(name)) : string.Empty;
}
