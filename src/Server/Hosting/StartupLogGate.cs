using Microsoft.Extensions.Logging;

namespace U7s.Server.Hosting;

/// <summary>
/// Keeps the hosting framework quiet until both ports listen. A start that fails (port in use, no
/// permission for a port below 1024) is reported by <c>u7s serve</c> as one line on stderr; without
/// the gate the host would first log the same failure with its stack on stdout. Once
/// <see cref="Open"/> is called, the host's warnings and errors (a failing background service) log as usual.
/// </summary>
internal sealed class StartupLogGate
{
    private const string HostingCategory = "Microsoft.Extensions.Hosting";
    private volatile bool _open;

    public void Open() => _open = true;

    /// <summary>The server's logging: warnings and up, U7s's own information, and the hosting framework only after start.</summary>
    public void Configure(ILoggingBuilder logging) =>
        logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("U7s", LogLevel.Information)
            .AddFilter(HostingCategory, level => _open && level >= LogLevel.Warning);
}
