using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace U7s.Registry.Storage;

/// <summary>
/// Removes abandoned uploads: a client that never finishes must not fill the disk, and an upload idle
/// past <see cref="RegistryOptions.UploadExpiry"/> is answered BLOB_UPLOAD_UNKNOWN afterwards.
/// </summary>
internal sealed partial class UploadJanitor(IBlobStore blobs, RegistryOptions options, TimeProvider time, ILogger<UploadJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(options.UploadExpiry.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var purged = await blobs.PurgeUploadsAsync(options.UploadExpiry, stoppingToken);
                if (purged > 0)
                {
                    Log.Purged(logger, purged);
                }
            }
            catch (IOException e)
            {
                Log.Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} abandoned uploads")]
        public static partial void Purged(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaning abandoned uploads failed")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
