using System.Diagnostics;
using System.Globalization;

namespace U7s.Bench;

/// <summary>
/// The footprint on a node: each server started fresh, then four concurrent pulls of a 256 MiB layer
/// (repeated for the load's duration) while 64 connections GET a manifest; its peak RSS (VmHWM) after.
/// U7s (the build nodes run) against docker-registry; and, where this harness may bind-mount over
/// sysfs (root, <c>unshare -m</c>), the same U7s binary twice more with the last-level cache the GC
/// reads in <c>/sys/devices/system/cpu/cpu0/cache</c> replaced by 8 MiB and by 256 MiB, so the row
/// shows whether the host's cache size still moves the memory (the GC sizes gen0 from it).
/// </summary>
internal static class FootprintWorkloads
{
    public const string Row = "footprint peak RSS (MiB)";
    public const string PullRow = "footprint pull (MiB/s)";
    private const int LayerBytes = 256 << 20;
    private const int Pulls = 4;
    private const string CacheDirectory = "/sys/devices/system/cpu/cpu0/cache";

    private static readonly (string Suffix, string Size)[] SimulatedCaches = [("-l3-8m", "8192K"), ("-l3-256m", "262144K")];

    public static void Declare(Report report)
    {
        report.Compare(Row, "MiB", "docker-registry", 1.0, false, "<= 1x");
        foreach (var (suffix, _) in SimulatedCaches)
        {
            report.Compare(Row, "MiB", "docker-registry", 1.0, false, "<= 1x", report.Headline + suffix);
        }

        report.Compare(PullRow, "MiB/s", "docker-registry", 0, true, string.Empty);
    }

    public static async Task RunAsync(Report report, BenchOptions options, string root)
    {
        var work = Directory.CreateDirectory(Path.Combine(root, "footprint")).FullName;
        var layer = new BlobSet(1, LayerBytes, 99);
        var simulate = await CanSimulateCacheAsync();
        if (!simulate)
        {
            report.Note($"footprint: the simulated cache sizes were not measured (needs root and unshare -m over {CacheDirectory})");
        }

        var candidates = new List<(string Name, Func<Task<ServerProcess>> Start)>
        {
            (report.Headline, async () => (await RegistryServers.StartU7sAsync(report.Headline + "-fp", work, Path.Combine(work, "www"))).Server),
            ("docker-registry", () => RegistryServers.StartDockerRegistryAsync("docker-registry-fp", work, ["  filesystem:", $"    rootdirectory: {Path.Combine(work, "registry-data")}"])),
        };
        if (simulate)
        {
            foreach (var (suffix, size) in SimulatedCaches)
            {
                var fake = Path.Combine(work, $"cache{suffix}");
                await File.WriteAllTextAsync(fake, size + "\n");
                candidates.Add((report.Headline + suffix, async () => (await RegistryServers.StartU7sAsync(report.Headline + suffix, [.. SimulatedCacheCommand(fake), .. RegistryServers.ReleaseCommand], work, Path.Combine(work, "www"))).Server));
            }
        }

        foreach (var (name, start) in candidates)
        {
            await using var server = await start();
            await SmallImage.PushAsync(server.Url);
            await BlobWorkloads.PushAsync(server.Url, "bench/big", layer, 1);
            var manifests = Wrk.RunAsync(new Uri(server.Url, SmallImage.ManifestPath), options.Connections, options.LoadDuration, new Dictionary<string, string> { ["Accept"] = "application/vnd.oci.image.manifest.v1+json" });
            var pulled = await BlobWorkloads.PullWhileAsync(server.Url, $"/v2/bench/big/blobs/{layer.Digests[0]}", LayerBytes, Pulls, manifests);
            await manifests;
            report.Add(Row, name, server.PeakRssMiB());
            report.Add(PullRow, name, pulled);
        }

        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"footprint: fresh servers, {Pulls} concurrent pulls of a {LayerBytes >> 20} MiB layer repeated while {options.Connections} connections GET a manifest for {options.LoadDuration.TotalSeconds:F0} s; the -l3-* rows run the same U7s binary with the L3 size it reads from sysfs replaced"));
    }

    /// <summary><c>unshare -m sh -c …</c>: bind-mounts <paramref name="fake"/> over the size of every level-3 cache of CPU 0, then runs the rest.</summary>
    private static string[] SimulatedCacheCommand(string fake) =>
    [
        "unshare", "-m", "sh", "-c",
        "for l in \"$1\"/index*/level; do [ \"$(cat \"$l\")\" = 3 ] && mount --bind \"$2\" \"${l%level}size\"; done; shift 2; exec \"$@\"",
        "sh", CacheDirectory, fake,
    ];

    private static async Task<bool> CanSimulateCacheAsync()
    {
        if (!Directory.Exists(CacheDirectory) || Environment.UserName != "root")
        {
            return false;
        }

        try
        {
            await BenchProcess.RunAsync("unshare", ["-m", "true"]);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
