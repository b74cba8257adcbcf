using Microsoft.Extensions.Logging;

namespace U7s.Server.Hosting;

/// <summary>Log lines about the stores' change feed.</summary>
internal static partial class StoreLog
{
    /// <summary>An observer of store changes threw; the change itself is committed and the write answered as such.</summary>
    public static void ObserverFailed(ILoggerFactory? loggers, Exception e)
    {
        if (loggers is not null)
        {
            ObserverFailed(loggers.CreateLogger("U7s.Server.StoreChanges"), e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "a cache did not take a store change; it is refreshed within RecheckAfter")]
    private static partial void ObserverFailed(ILogger logger, Exception e);
}
