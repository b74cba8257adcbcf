using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using U7s.Bench;

// U7s against Debian's docker-registry and nginx, in one run, on 127.0.0.1. Workloads alternate
// between servers each round so machine noise hits all of them alike; medians are reported.
var options = BenchOptions.Parse(args);

// The push row's reference: the same blobs written and fsynced by plain file writes. Not a ceiling: U7s, which starts
// writeback while it receives, has pushed faster than it (572 against 410 MiB/s in a full run).
const string DiskReference = "disk, fsynced";
var root = Directory.CreateTempSubdirectory("u7s-bench-").FullName;
Console.WriteLine($"u7s bench ({(options.Quick ? "quick" : "full")}): {options.Rounds} round(s), push/pull {options.BlobCount} x {options.BlobSize / (1024 * 1024)} MiB with {options.Parallelism} in parallel, load {options.Connections} connections x {options.LoadDuration.TotalSeconds:F0} s; data in {root}");
var report = new Report(options.AotBinary is null ? "u7s" : "u7s-aot", options.AotBinary is null ? null : "u7s");
if (options.AotBinary is { } aotBinary)
{
    RegistryServers.ReleaseCommand = [aotBinary];
}

try
{
    await using var servers = await Servers.StartAsync(root, options.AotBinary);
    if (servers.U7sAot is null)
    {
        report.Note("no Native AOT binary (U7S_AOT_BINARY): the u7s-aot rows were not measured");
    }

    // Idle: started, answered its readiness probe, nothing else yet.
    await Task.Delay(TimeSpan.FromSeconds(1));
    foreach (var server in servers.Registries)
    {
        report.Add("idle RSS (MiB)", server.Name, server.RssMiB());
    }

    await using var s3 = options.Runs("s3") ? await S3Servers.StartOrNullAsync(root, report) : null;
    var s3Pids = CpuTime.S3ServerPids();
    var manifestPath = await SeedManifestAsync(servers);
    var signaturePath = SeedSignature(servers.WwwRoot);
    var accept = new Dictionary<string, string> { ["Accept"] = "application/vnd.oci.image.manifest.v1+json" };
    await using var enforce = await EnforceWorkloads.StartAsync(root, manifestPath);

    for (var round = 0; round < options.Rounds; round++)
    {
        var blobs = new BlobSet(options.BlobCount, options.BlobSize, round);
        // Each round starts with another server, so machine noise hits all of them alike.
        var registries = servers.Registries.Skip(round % servers.Registries.Count).Concat(servers.Registries.Take(round % servers.Registries.Count)).ToArray();
        if (options.Runs("push"))
        {
            report.Add("push (MiB/s)", DiskReference, (await BlobWorkloads.DiskWriteAsync(Path.Combine(root, "disk-write"), blobs, options.Parallelism)).MiBPerSecond);
        }

        foreach (var server in options.Runs("push") ? registries : [])
        {
            await BlobRows.MeasureAsync(report, "push", server.Name, server, [], () => BlobWorkloads.PushAsync(server.Url, $"bench/push{round}", blobs, options.Parallelism));
        }

        if (s3 is not null)
        {
            // The same workload over S3: U7s against docker-registry's s3 driver, and against U7s on its filesystem.
            var pushed = report.Median("push (MiB/s)", report.Headline);
            report.Add("push on S3 (MiB/s)", "u7s-filesystem", pushed ?? 0);
            foreach (var (server, name) in S3Order(s3, round))
            {
                await BlobRows.MeasureAsync(report, "push on S3", name, server, s3Pids, () => BlobWorkloads.PushAsync(server.Url, $"bench/push{round}", blobs, options.Parallelism));
            }
        }

        if (options.Runs("pull"))
        {
            LinkBlobsForNginx(root, servers.WwwRoot, blobs);
        }

        foreach (var server in options.Runs("pull") ? registries.Append(servers.Nginx) : [])
        {
            Func<string, string> path = server == servers.Nginx ? d => $"/blobs/{d[7..]}" : d => $"/v2/bench/push{round}/blobs/{d}";
            await BlobRows.MeasureAsync(report, "pull", server.Name, server, [], () => BlobWorkloads.PullAsync(server.Url, path, blobs, options.Parallelism, options.MinimumPull));
        }

        if (s3 is not null)
        {
            report.Add("pull on S3 (MiB/s)", "u7s-filesystem", report.Median("pull (MiB/s)", report.Headline) ?? 0);
            foreach (var (server, name) in S3Order(s3, round))
            {
                await BlobRows.MeasureAsync(report, "pull on S3", name, server, s3Pids, () => BlobWorkloads.PullAsync(server.Url, d => $"/v2/bench/push{round}/blobs/{d}", blobs, options.Parallelism, options.MinimumPull));
                await BlobWorkloads.DeleteAsync(server.Url, $"bench/push{round}", blobs);
            }
        }

        if (Wrk.Available)
        {
            foreach (var server in options.Runs("manifest") ? registries : [])
            {
                var url = new Uri(server.Url, manifestPath);
                var (getRps, getP99) = await Wrk.RunAsync(url, options.Connections, options.LoadDuration, accept);
                report.Add("manifest GET by tag (req/s)", server.Name, getRps);
                report.Add("manifest GET p99 (ms)", server.Name, getP99);
                var (headRps, headP99) = await HttpLoad.RunAsync(url, HttpMethod.Head, options.Connections, options.LoadDuration, accept);
                report.Add("manifest HEAD by tag (req/s)", server.Name, headRps);
                report.Add("manifest HEAD p99 (ms)", server.Name, headP99);
            }

            // The same signed manifest with enforcement on and off, in alternating order, on the same build.
            foreach (var server in !options.Runs("enforce") ? [] : round % 2 == 0 ? new[] { servers.Release, enforce.Server } : [enforce.Server, servers.Release])
            {
                var (rps, _) = await Wrk.RunAsync(new Uri(server.Url, manifestPath), options.Connections, options.LoadDuration, accept);
                report.Add(EnforceWorkloads.ManifestRow, server == enforce.Server ? EnforceWorkloads.Enforcing : EnforceWorkloads.Plain, rps);
            }

            var stores = new List<(string, Uri)> { ("u7s", servers.U7sSigstore), ("nginx", servers.Nginx.Url) };
            if (servers.U7sAotSigstore is { } aotStore)
            {
                stores.Insert(1, ("u7s-aot", aotStore));
            }

            // Each round starts with another store, as the registries do.
            foreach (var (name, baseUrl) in options.Runs("signature") ? stores.Skip(round % stores.Count).Concat(stores.Take(round % stores.Count)) : [])
            {
                var (rps, _) = await Wrk.RunAsync(new Uri(baseUrl, signaturePath), options.Connections, options.LoadDuration);
                report.Add("signature GET (req/s)", name, rps);
            }
        }
    }

    if (!Wrk.Available)
    {
        report.Note("wrk is not installed: manifest and signature load rows were not measured (apt-get install wrk)");
    }

    report.Note("HEAD is driven by an in-process .NET client (wrk cannot read HEAD responses); its rates are lower than wrk's for both servers");
    foreach (var server in servers.Registries)
    {
        report.Add("peak RSS (MiB)", server.Name, server.PeakRssMiB());
    }

    report.Add("peak RSS (MiB)", "nginx", servers.Nginx.PeakRssMiB());
    if (s3 is not null)
    {
        report.Add("peak RSS on S3 (MiB)", "u7s-s3", s3.U7s.PeakRssMiB());
        report.Add("peak RSS on S3 (MiB)", "docker-registry", s3.DockerRegistry.PeakRssMiB());
    }

    if (options.Runs("status"))
    {
        await enforce.MeasureStatusPageAsync(report, options.Quick ? 5 : 20);
    }

    if (options.Runs("startup"))
    {
        await StartupWorkloads.RunAsync(report, options, servers, root);
    }

    if (options.Runs("footprint"))
    {
        await FootprintWorkloads.RunAsync(report, options, root);
    }

    if (options.Runs("loader"))
    {
        await LoaderWorkloads.RunAsync(report, options, servers, root);
    }
}
finally
{
    // U7S_BENCH_KEEP=1 leaves the data (the loader's archive, keys and policy among it) for profiling one workload by hand.
    if (Environment.GetEnvironmentVariable("U7S_BENCH_KEEP") == "1")
    {
        Console.WriteLine($"kept {root}");
    }
    else
    {
        Directory.Delete(root, recursive: true);
    }
}

report.Compare("push (MiB/s)", "MiB/s", "docker-registry", 1.5, true, ">= 1.5x");
report.Compare("push (MiB/s)", "MiB/s", DiskReference, 0, true, string.Empty);
report.Compare("pull (MiB/s)", "MiB/s", "docker-registry", 1.5, true, ">= 1.5x");
report.Compare("pull (MiB/s)", "MiB/s", "nginx", 0.9, true, ">= 0.9x");
BlobRows.Declare(report, "push", "docker-registry");
BlobRows.Declare(report, "pull", "docker-registry");
BlobRows.Declare(report, "pull", "nginx");
BlobRows.Declare(report, "push on S3", "docker-registry", "u7s-s3");
BlobRows.Declare(report, "pull on S3", "docker-registry", "u7s-s3");
report.Compare("manifest GET by tag (req/s)", "req/s", "docker-registry", 2.0, true, ">= 2x");
report.Compare("manifest GET p99 (ms)", "ms", "docker-registry", 1.0, false, "<= 1x");
report.Compare("manifest HEAD by tag (req/s)", "req/s", "docker-registry", 2.0, true, ">= 2x");
report.Compare("manifest HEAD p99 (ms)", "ms", "docker-registry", 1.0, false, "<= 1x");
report.Compare("signature GET (req/s)", "req/s", "nginx", 0.9, true, ">= 0.9x");
report.Compare("push on S3 (MiB/s)", "MiB/s", "docker-registry", 1.5, true, ">= 1.5x", "u7s-s3");
report.Compare("push on S3 (MiB/s)", "MiB/s", "u7s-filesystem", 0, true, string.Empty, "u7s-s3");
report.Compare("pull on S3 (MiB/s)", "MiB/s", "docker-registry", 1.5, true, ">= 1.5x", "u7s-s3");
report.Compare("pull on S3 (MiB/s)", "MiB/s", "u7s-filesystem", 0, true, string.Empty, "u7s-s3");
report.Compare("peak RSS on S3 (MiB)", "MiB", "docker-registry", 1.0, false, string.Empty, "u7s-s3");
report.Compare("peak RSS (MiB)", "MiB", "docker-registry", 1.0, false, "<= 1x");
report.Compare("idle RSS (MiB)", "MiB", "docker-registry", 0, false, string.Empty);
FootprintWorkloads.Declare(report);
StartupWorkloads.Declare(report);
LoaderWorkloads.Declare(report);
EnforceWorkloads.Declare(report);
report.Print(Console.Out);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"peak RSS: u7s-aot {report.Median("peak RSS (MiB)", "u7s-aot"):F0} MiB, u7s (JIT) {report.Median("peak RSS (MiB)", "u7s"):F0} MiB, docker-registry {report.Median("peak RSS (MiB)", "docker-registry"):F0} MiB, nginx {report.Median("peak RSS (MiB)", "nginx"):F0} MiB"));
if (options.Runs("startup"))
{
    Console.WriteLine(StartupWorkloads.Summary(report));
}
return 0;

// The S3 servers in alternating order per round, as the filesystem ones, so neither always meets a fuller radosgw.
static (ServerProcess Server, string Name)[] S3Order(S3Servers s3, int round) =>
    round % 2 == 0 ? [(s3.U7s, "u7s-s3"), (s3.DockerRegistry, "docker-registry")] : [(s3.DockerRegistry, "docker-registry"), (s3.U7s, "u7s-s3")];

// One small image (config + layer + manifest) tagged v1 in every registry; returns the manifest path.
static async Task<string> SeedManifestAsync(Servers servers)
{
    foreach (var server in servers.Registries)
    {
        await SmallImage.PushAsync(server.Url);
    }

    return SmallImage.ManifestPath;
}

// A signature file in podsec's lookaside layout, served by both U7s's store and nginx.
static string SeedSignature(string www)
{
    var hex = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    var directory = Path.Combine(www, "sigstore", "bench", $"app@sha256={hex}");
    Directory.CreateDirectory(directory);
    File.WriteAllBytes(Path.Combine(directory, "signature-1"), RandomNumberGenerator.GetBytes(700));
    return $"/sigstore/bench/app@sha256={hex}/signature-1";
}

// nginx serves the very files U7s stored (hard links), so the pull comparison reads the same bytes from the same disk.
static void LinkBlobsForNginx(string root, string www, BlobSet blobs)
{
    foreach (var digest in blobs.Digests)
    {
        var hex = digest[7..];
        var source = Path.Combine(root, "u7s", "blobs", "sha256", hex[..2], hex);
        var target = Path.Combine(www, "blobs", hex);
        if (!File.Exists(target))
        {
            File.Copy(source, target);
        }
    }
}
