using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using U7s.Registry;
using U7s.Registry.Gc;
using U7s.S3;
using U7s.Server.Hosting;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s gc [--dry-run]</c>: frees blobs no live manifest references; safe while the registry serves, which is
/// why the grace period has a floor (<see cref="GcOptions.MinimumGrace"/>) and no offline mode lowers it.
/// </summary>
internal static class GcCommand
{
    private static readonly Option<FileInfo?> ConfigOption = new("--config") { Description = "Config file, as for serve" };
    private static readonly Option<string?> DataOption = new("--data") { Description = "Data root (default /var/lib/u7s)" };
    private static readonly Option<bool> DryRunOption = new("--dry-run") { Description = "Report what would be freed; delete nothing" };
    private static readonly Option<bool> DeleteUntaggedOption = new("--delete-untagged") { Description = "Also remove manifests no tag reaches (index children and referrers of live manifests stay)" };
    private static readonly Option<TimeSpan> GraceOption = new("--grace")
    {
        Description = $"Never collect blobs or manifests written or used within this time before the run (default 01:00:00, at least {GcOptions.MinimumGrace:c})",
        DefaultValueFactory = _ => TimeSpan.FromHours(1),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < TimeSpan.Zero)
            {
                result.AddError($"--grace '{text}' is not a non-negative time span such as 01:00:00");
            }
            else if (new GcOptions(false, value, false).Validate().FirstOrDefault() is { } problem)
            {
                result.AddError($"--grace: {problem}");
            }

            return value;
        },
    };

    public static Command Create()
    {
        var command = new Command("gc", "Collect unreferenced blobs (and, with --delete-untagged, untagged manifests)")
        {
            ConfigOption, DataOption, DryRunOption, DeleteUntaggedOption, GraceOption,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var data = parse.GetValue(DataOption);
        var flags = new Dictionary<string, string?> { ["Registry:DataRoot"] = data is null ? null : Path.GetFullPath(data) };
        var settings = ServeConfiguration.Load(parse.GetValue(ConfigOption)?.FullName, flags);
        var registry = settings.Registry;
        // On S3, the same bucket the replicas serve: the collection takes the lock they take for manifest pushes.
        using var s3 = await settings.OpenS3OrNullAsync(cancellationToken);
        if (s3 is null)
        {
            CheckReadable(registry.DataRoot);
        }

        var collection = new ServiceCollection();
        s3?.AddRegistryStorage(collection);
        await using var services = collection.AddRegistry(registry).BuildServiceProvider();
        var options = new GcOptions(parse.GetValue(DryRunOption), parse.GetValue(GraceOption), parse.GetValue(DeleteUntaggedOption));
        GcReport report;
        try
        {
            report = await services.GetRequiredService<GarbageCollector>().RunAsync(options, cancellationToken);
        }
        catch (UnauthorizedAccessException e)
        {
            // The lock file, a blob or a link the collection must write: a different user owns the data.
            throw new UserException($"cannot collect in {registry.DataRoot}: {e.Message} (run gc as the user u7s serve runs as)", ExitCodes.Unavailable);
        }

        var output = parse.InvocationConfiguration.Output;
        var verb = report.DryRun ? "would delete" : "deleted";
        foreach (var (repository, digest) in report.DeletedManifests)
        {
            await output.WriteLineAsync($"{verb} manifest {repository}@{digest}");
        }

        foreach (var (digest, size) in report.DeletedBlobs)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{verb} blob {digest} ({size} bytes)"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{report.LiveManifests} live manifests, {report.LiveBlobs} live blobs; {verb} {report.DeletedManifests.Count} manifests and {report.DeletedBlobs.Count} blobs, {FormatBytes(report.FreedBytes)}; {report.SparedByGracePeriod} unreferenced blobs and {report.ManifestsSparedByGracePeriod} untagged manifests spared by the {options.GracePeriod} grace period"));
        return ExitCodes.Success;
    }

    private static void CheckReadable(string dataRoot)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(dataRoot).Any();
        }
        catch (DirectoryNotFoundException)
        {
            throw new UserException($"data root '{dataRoot}' does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserException($"cannot read the data root '{dataRoot}': permission denied (run gc as the user u7s serve runs as)", ExitCodes.Unavailable);
        }
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
