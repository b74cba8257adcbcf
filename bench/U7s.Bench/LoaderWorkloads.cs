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
/// (<c>--data</c>) and over HTTP, timed against the xz decode alone (the floor) and against podsec's
/// pipeline (<c>xz -d</c> to a temp dir, <c>tar x</c>, <c>skopeo copy --sign-by</c> per image into
/// docker-registry); and signing/verification throughput of U7s in-process against one gpg process
/// per signature.
/// </summary>
internal static class LoaderWorkloads
{
    public const string LoadLocal = "load-sign --data (s)";
    public const string LoadHttp = "load-sign over HTTP (s)";
    public const string Sign = "sign (signatures/s)";
    public const string Verify = "verify (signatures/s)";

    private const string Email = "bench@example.test";

    /// <summary>The comparison rows, in the report's table.</summary>
    public static void Declare(Report report)
    {
        foreach (var workload in new[] { LoadLocal, LoadHttp })
        {
            report.Compare(workload, "s", "xz -dc", 1.2, false, "<= 1.2x");
            report.Compare(workload, "s", "podsec", 1.0 / 3, false, "<= 0.33x");
        }

        report.Compare(Sign, "sig/s", "gpg", 2.0, true, ">= 2x");
        report.Compare(Verify, "sig/s", "gpg", 2.0, true, ">= 2x");
    }

    public static async Task RunAsync(Report report, BenchOptions options, Servers servers, string root)
    {
        var work = Path.Combine(root, "loader");
        Directory.CreateDirectory(work);
        var gnupg = await CreateGnuPgHomeAsync(Path.Combine(work, "gnupg"));
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
            var xz = await BenchProcess.ShellAsync("xz -dc \"$1\" > /dev/null", archive.Path);
            var data = Directory.CreateDirectory(Path.Combine(work, $"data-{round}")).FullName;
            var local = await LoadAsync(u7s, archive.Path, keyDir, policy, work, ["--data", data]);
            var http = await LoadAsync(u7s, archive.Path, keyDir, policy, work, [$"registry.local/ld{round}/k8s-c10f1", "--registry", servers.U7s.Url.ToString()]);
            var podsec = await PodsecAsync(archive, gnupg, servers.DockerRegistry.Url, work, round);
            foreach (var workload in new[] { LoadLocal, LoadHttp })
            {
                report.Add(workload, "xz -dc", xz.TotalSeconds);
                report.Add(workload, "podsec", podsec.TotalSeconds);
            }

            report.Add(LoadLocal, "u7s", local.TotalSeconds);
            report.Add(LoadHttp, "u7s", http.TotalSeconds);
        }

        var count = options.Quick ? 20 : 100;
        var (sign, verify) = await U7sSigningAsync(keyDir, publicKey, work, count);
        report.Add(Sign, "u7s", sign);
        report.Add(Verify, "u7s", verify);
        var (gpgSign, gpgVerify) = await GpgSigningAsync(gnupg, work, count);
        report.Add(Sign, "gpg", gpgSign);
        report.Add(Verify, "gpg", gpgVerify);
        await BenchProcess.RunAsync("gpgconf", ["--kill", "gpg-agent"], gnupg.Environment);
    }

    private static async Task<TimeSpan> LoadAsync(string u7s, string archive, string keyDir, string policy, string work, string[] target)
    {
        var sigstore = Path.Combine(work, $"sigstore-{Guid.NewGuid():N}");
        return await BenchProcess.RunAsync("dotnet", [u7s, "load-sign-oci", archive, "amd64", Email, .. target, "--key-dir", keyDir, "--sigstore-root", sigstore, "--policy", policy, "--temp-dir", work]);
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

    /// <summary>U7s's signer (append into the store) and policy evaluation, in one process, per second.</summary>
    private static async Task<(double Sign, double Verify)> U7sSigningAsync(string keyDir, string publicKey, string work, int count)
    {
        var pgp = new BouncyCastleOpenPgp();
        var keys = new SignerKeyStore(keyDir, pgp, TimeProvider.System);
        var key = keys.Unlock(keys.Select(Email), null);
        var store = new SignatureStore(new FileSystemSigstoreTree(Path.Combine(work, "sign-u7s")));
        var signer = new ImageSigner(pgp, store, TimeProvider.System, "u7s bench");
        var evaluator = new PolicyEvaluator(
            PolicyParser.Parse(System.Text.Encoding.UTF8.GetBytes(
                "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey + "\"}]}}}")),
            pgp,
            TimeProvider.System);
        var reference = Reference.Parse("registry.local/k8s-c10f1/pause:3.9");
        var digests = Enumerable.Range(0, count).Select(_ => Digest.Compute(RandomNumberGenerator.GetBytes(32))).ToList();

        // One untimed signature and check first: throughput, not JIT compilation, is measured.
        var warmUp = Digest.Compute(RandomNumberGenerator.GetBytes(32));
        await signer.SignAsync(reference, warmUp, key, CancellationToken.None);
        await evaluator.EvaluateAsync(reference, warmUp, [(await store.ListAsync(LookasidePath.RepositoryOf(reference), warmUp, CancellationToken.None).FirstAsync()).Content], CancellationToken.None);

        var watch = Stopwatch.StartNew();
        foreach (var digest in digests)
        {
            await signer.SignAsync(reference, digest, key, CancellationToken.None);
        }

        var sign = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        foreach (var digest in digests)
        {
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

        return (sign, count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>One <c>gpg --sign</c> and one <c>gpg --verify</c> process per signature, as podsec's shell scripts run them.</summary>
    private static async Task<(double Sign, double Verify)> GpgSigningAsync(GnuPg gnupg, string work, int count)
    {
        var directory = Path.Combine(work, "sign-gpg");
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

    private static async Task<GnuPg> CreateGnuPgHomeAsync(string home)
    {
        Directory.CreateDirectory(home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
        var environment = new Dictionary<string, string> { ["GNUPGHOME"] = home };
        await BenchProcess.RunAsync("gpg", ["--batch", "--gen-key"], environment,
            $"Key-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\nName-Real: Bench\nName-Email: {Email}\nExpire-Date: 0\n%no-protection\n%commit\n");
        var (_, listing) = await BenchProcess.CaptureAsync("gpg", ["--batch", "--with-colons", "--list-secret-keys", Email], environment);
        var fingerprint = listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        return new GnuPg(fingerprint, environment);
    }

    private sealed record GnuPg(string Fingerprint, IReadOnlyDictionary<string, string> Environment);
}
