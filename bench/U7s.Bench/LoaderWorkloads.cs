using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using U7s.Loader.Generator;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Bench;

/// <summary>
/// Loader rows: <c>u7s load-sign-oci</c> of a generated k8s-c10f1-like archive into the local store
/// (<c>--data</c>) and over HTTP, timed against the threaded xz decode alone (the floor) and against podsec's
/// pipeline (<c>xz -d</c> to a temp dir, <c>tar x</c>, <c>skopeo copy --sign-by</c> per image into
/// docker-registry); and signing/verification throughput of U7s in-process against one gpg process
/// per signature.
/// </summary>
internal static class LoaderWorkloads
{
    public const string LoadLocal = "load-sign --data (s)";
    public const string LoadHttp = "load-sign over HTTP (s)";
    public const string Verify = "verify (signatures/s)";

    /// <summary>The signing rows: one per key type, each against gpg with a key of the same type.</summary>
    private static readonly (string Row, string GpgKey)[] SignKeys =
    [
        ("sign RSA 2048 (signatures/s)", "Key-Type: RSA\nKey-Length: 2048"),
        ("sign RSA 4096 (signatures/s)", "Key-Type: RSA\nKey-Length: 4096"),
        ("sign Ed25519 (signatures/s)", "Key-Type: EDDSA\nKey-Curve: ed25519"),
    ];

    private const string Email = "bench@example.test";

    /// <summary>The decode-only floor's name in the report.</summary>
    private const string Decoder = "xz -T0 -dc";

    /// <summary>The comparison rows, in the report's table.</summary>
    public static void Declare(Report report)
    {
        foreach (var workload in new[] { LoadLocal, LoadHttp })
        {
            report.Compare(workload, "s", Decoder, 1.2, false, "<= 1.2x");
            report.Compare(workload, "s", "podsec", 1.0 / 3, false, "<= 0.33x");
        }

        foreach (var (row, _) in SignKeys)
        {
            report.Compare(row, "sig/s", "gpg", 2.0, true, ">= 2x", "u7s");
        }

        report.Compare(Verify, "sig/s", "gpg", 2.0, true, ">= 2x", "u7s");
        report.Note("sign and verify rows: U7s signs and checks in the bench's own process (the library a load runs, JIT-compiled), gpg runs one process per signature as podsec's scripts do; each sign row uses a key of its type in both");
    }

    public static async Task RunAsync(Report report, BenchOptions options, Servers servers, string root)
    {
        var work = Path.Combine(root, "loader");
        Directory.CreateDirectory(work);
        var gnupg = await CreateGnuPgHomeAsync(Path.Combine(work, "gnupg"), "Key-Type: RSA\nKey-Length: 2048");
        var keyDir = Path.Combine(work, "keys");
        var secret = Path.Combine(work, "secret.asc");
        await BenchProcess.RunAsync("gpg", ["--batch", "--yes", "--armor", "--output", secret, "--export-secret-keys", gnupg.Fingerprint], gnupg.Environment);
        var publicKey = Path.Combine(work, "public.asc");
        await BenchProcess.RunAsync("gpg", ["--batch", "--yes", "--armor", "--output", publicKey, "--export", gnupg.Fingerprint], gnupg.Environment);
        var u7s = Path.Combine(AppContext.BaseDirectory, "u7s.dll");
        await BenchProcess.RunAsync("dotnet", [u7s, "keys", "import", secret, "--key-dir", keyDir]);
        var policy = Path.Combine(work, "policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey + "\"}]}}}");

        // Quick: ~40 MB expanded; full: ~330 MB, the size class of the real c10f1 archive's contents.
        var generatorOptions = new GeneratorOptions { LayerBytes = options.Quick ? 2L << 20 : 16L << 20, Seed = 7, TemporaryRoot = work };
        var archive = await ArchiveGenerator.WriteAsync(Path.Combine(work, "amd64.tar.xz"), generatorOptions, CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loader: archive {new FileInfo(archive.Path).Length / 1048576.0:F1} MiB xz, {archive.BlobBytes / 1048576.0:F1} MiB of blobs, {archive.Images.Count} images"));

        for (var round = 0; round < options.Rounds; round++)
        {
            // The floor: the same threaded decoder U7s runs (liblzma, one thread per core); plain `xz -dc` decodes
            // on one thread, so a load that decodes on two finished before it and the ratio said nothing.
            var xz = await BenchProcess.ShellAsync("xz -T0 -dc \"$1\" > /dev/null", archive.Path);
            var data = Directory.CreateDirectory(Path.Combine(work, $"data-{round}")).FullName;
            var local = await LoadAsync(archive.Path, keyDir, policy, work, ["--data", data]);
            var http = await LoadAsync(archive.Path, keyDir, policy, work, [$"registry.local/ld{round}/k8s-c10f1", "--registry", servers.Release.Url.ToString()]);
            var podsec = await PodsecAsync(archive, gnupg, servers.DockerRegistry.Url, work, round);
            foreach (var workload in new[] { LoadLocal, LoadHttp })
            {
                report.Add(workload, Decoder, xz.TotalSeconds);
                report.Add(workload, "podsec", podsec.TotalSeconds);
            }

            report.Add(LoadLocal, report.Headline, local.TotalSeconds);
            report.Add(LoadHttp, report.Headline, http.TotalSeconds);
        }

        var count = options.Quick ? 20 : 100;
        var verify = await U7sVerifyAsync(keyDir, publicKey, work, count);
        report.Add(Verify, "u7s", verify);
        var gpgVerify = (await GpgSigningAsync(gnupg, Path.Combine(work, "verify-gpg"), count)).Verify;
        report.Add(Verify, "gpg", gpgVerify);
        for (var k = 0; k < SignKeys.Length; k++)
        {
            var (row, gpgKey) = SignKeys[k];
            var home = k == 0 ? gnupg : await CreateGnuPgHomeAsync(Path.Combine(work, $"gnupg-{k}"), gpgKey);
            var dir = Path.Combine(work, $"keys-{k}");
            if (k == 0)
            {
                dir = keyDir;
            }
            else
            {
                var exported = Path.Combine(work, $"secret-{k}.asc");
                await BenchProcess.RunAsync("gpg", ["--batch", "--yes", "--armor", "--output", exported, "--export-secret-keys", home.Fingerprint], home.Environment);
                await BenchProcess.RunAsync("dotnet", [u7s, "keys", "import", exported, "--key-dir", dir]);
            }

            report.Add(row, "u7s", await U7sSignAsync(dir, Path.Combine(work, $"sign-u7s-{k}"), count));
            report.Add(row, "gpg", (await GpgSigningAsync(home, Path.Combine(work, $"sign-gpg-{k}"), count)).Sign);
            if (k > 0)
            {
                await BenchProcess.RunAsync("gpgconf", ["--kill", "gpg-agent"], home.Environment);
            }
        }

        await BenchProcess.RunAsync("gpgconf", ["--kill", "gpg-agent"], gnupg.Environment);
    }

    /// <summary>One <c>load-sign-oci</c> by the build nodes run (the AOT binary when the run has one).</summary>
    private static async Task<TimeSpan> LoadAsync(string archive, string keyDir, string policy, string work, string[] target)
    {
        var sigstore = Path.Combine(work, $"sigstore-{Guid.NewGuid():N}");
        var command = RegistryServers.ReleaseCommand;
        return await BenchProcess.RunAsync(command[0], [.. command.Skip(1), "load-sign-oci", archive, "amd64", Email, .. target, "--key-dir", keyDir, "--sigstore-root", sigstore, "--policy", policy, "--temp-dir", work]);
    }

    /// <summary>podsec 1.x: <c>xz -d</c> into a temp dir, <c>tar x</c>, then one <c>skopeo copy --sign-by</c> per image.</summary>
    private static async Task<TimeSpan> PodsecAsync(GeneratedArchive archive, GnuPg gnupg, Uri registry, string work, int round)
    {
        var temp = Path.Combine(work, $"podsec-{round}");
        var registriesD = Path.Combine(temp, "registries.d");
        Directory.CreateDirectory(registriesD);
        var anyPolicy = Path.Combine(temp, "policy.json");
        await File.WriteAllTextAsync(anyPolicy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        await File.WriteAllTextAsync(Path.Combine(registriesD, "default.yaml"), $"default-docker:\n  lookaside-staging: file://{Path.Combine(temp, "sigstore")}\n");
        var watch = Stopwatch.StartNew();
        await BenchProcess.ShellAsync("xz -dc \"$1\" > \"$2/archive.tar\" && tar xf \"$2/archive.tar\" -C \"$2\" && rm \"$2/archive.tar\"", archive.Path, temp);
        foreach (var image in archive.Images)
        {
            await BenchProcess.RunAsync(
                "skopeo",
                ["--policy", anyPolicy, "--registries.d", registriesD, "copy", "-q", "--dest-tls-verify=false", "--sign-by", gnupg.Fingerprint,
                    $"oci:{Path.Combine(temp, archive.Architecture)}:{image.RefName}", $"docker://{registry.Authority}/podsec{round}/{image.RefName}"],
                gnupg.Environment);
        }

        watch.Stop();
        Directory.Delete(temp, recursive: true);
        return watch.Elapsed;
    }

    /// <summary>U7s's signer (sign, append into the store), in one process, per second: what each image of a load costs.</summary>
    private static async Task<double> U7sSignAsync(string keyDir, string tree, int count)
    {
        var pgp = new BouncyCastleOpenPgp();
        var keys = new SignerKeyStore(keyDir, pgp, TimeProvider.System);
        var key = keys.Unlock(keys.Select(Email), null);
        var signer = new ImageSigner(pgp, new SignatureStore(new FileSystemSigstoreTree(tree)), TimeProvider.System, "u7s bench");
        var reference = Reference.Parse("registry.local/k8s-c10f1/pause:3.9");
        var digests = Enumerable.Range(0, count).Select(_ => Digest.Compute(RandomNumberGenerator.GetBytes(32))).ToList();

        // One untimed signature first: throughput, not JIT compilation, is measured.
        await signer.SignAsync(reference, Digest.Compute(RandomNumberGenerator.GetBytes(32)), key, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        foreach (var digest in digests)
        {
            await signer.SignAsync(reference, digest, key, CancellationToken.None);
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>U7s's policy evaluation of signatures it made, in one process, per second.</summary>
    private static async Task<double> U7sVerifyAsync(string keyDir, string publicKey, string work, int count)
    {
        var pgp = new BouncyCastleOpenPgp();
        var keys = new SignerKeyStore(keyDir, pgp, TimeProvider.System);
        var key = keys.Unlock(keys.Select(Email), null);
        var store = new SignatureStore(new FileSystemSigstoreTree(Path.Combine(work, "verify-u7s")));
        var signer = new ImageSigner(pgp, store, TimeProvider.System, "u7s bench");
        var evaluator = new PolicyEvaluator(
            PolicyParser.Parse(System.Text.Encoding.UTF8.GetBytes(
                "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey + "\"}]}}}")),
            pgp,
            TimeProvider.System);
        var reference = Reference.Parse("registry.local/k8s-c10f1/pause:3.9");
        var digests = Enumerable.Range(0, count + 1).Select(_ => Digest.Compute(RandomNumberGenerator.GetBytes(32))).ToList();
        foreach (var digest in digests)
        {
            await signer.SignAsync(reference, digest, key, CancellationToken.None);
        }

        var watch = new Stopwatch();
        foreach (var (digest, i) in digests.Select((d, i) => (d, i)))
        {
            // The first check is untimed: throughput, not JIT compilation, is measured.
            if (i == 1)
            {
                watch.Start();
            }

            var blobs = new List<byte[]>();
            await foreach (var s in store.ListAsync(LookasidePath.RepositoryOf(reference), digest, CancellationToken.None))
            {
                blobs.Add(s.Content);
            }

            if (!(await evaluator.EvaluateAsync(reference, digest, blobs, CancellationToken.None)).IsAllowed)
            {
                throw new InvalidOperationException($"u7s rejected its own signature for {digest}");
            }
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>One <c>gpg --sign</c> and one <c>gpg --verify</c> process per signature, as podsec's shell scripts run them.</summary>
    private static async Task<(double Sign, double Verify)> GpgSigningAsync(GnuPg gnupg, string directory, int count)
    {
        Directory.CreateDirectory(directory);
        var payloads = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(directory, $"payload-{i}.json");
            var digest = Digest.Compute(RandomNumberGenerator.GetBytes(32));
            await File.WriteAllBytesAsync(path, new SignaturePayload("registry.local/k8s-c10f1/pause:3.9", digest, "gpg bench", DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToJsonBytes());
            payloads.Add(path);
        }

        var watch = Stopwatch.StartNew();
        foreach (var payload in payloads)
        {
            await BenchProcess.RunAsync("gpg", ["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", string.Empty, "--local-user", gnupg.Fingerprint + "!", "--output", payload + ".sig", "--sign", payload], gnupg.Environment);
        }

        var sign = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        foreach (var payload in payloads)
        {
            await BenchProcess.RunAsync("gpg", ["--batch", "--verify", payload + ".sig"], gnupg.Environment);
        }

        return (sign, count / watch.Elapsed.TotalSeconds);
    }

    /// <param name="keyType">The batch lines that pick the key's type, e.g. <c>Key-Type: RSA</c> and <c>Key-Length: 2048</c>.</param>
    private static async Task<GnuPg> CreateGnuPgHomeAsync(string home, string keyType)
    {
        Directory.CreateDirectory(home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
        var environment = new Dictionary<string, string> { ["GNUPGHOME"] = home };
        await BenchProcess.RunAsync("gpg", ["--batch", "--gen-key"], environment,
            $"{keyType}\nKey-Usage: sign\nName-Real: Bench\nName-Email: {Email}\nExpire-Date: 0\n%no-protection\n%commit\n");
        var (_, listing) = await BenchProcess.CaptureAsync("gpg", ["--batch", "--with-colons", "--list-secret-keys", Email], environment);
        var fingerprint = listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        return new GnuPg(fingerprint, environment);
    }

    private sealed record GnuPg(string Fingerprint, IReadOnlyDictionary<string, string> Environment);
}
