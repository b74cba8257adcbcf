using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using U7s.Oci;

namespace U7s.Server.Hosting;

/// <summary>
/// The start of <c>u7s serve</c> as one ordered list of named checks (<see cref="Order"/>), run one after the other:
/// the first that fails stops the start with one line naming the setting to fix (<see cref="ServerException"/>),
/// and nothing after it runs. Settings are read, bound and validated first, all of them in one check (unknown keys and
/// values that do not convert name their source; the options then validate together, signers file and policy
/// paths included); the checks after it need the process's files, the store and the ports.
/// </summary>
/// <param name="warn">Told each warning about the settings (an old name) as soon as they are read, before later checks can fail.</param>
/// <param name="inlineSocketCompletions">
/// Set <see cref="InlineSocketCompletions"/> for this process once the settings are read, before any socket exists: u7s's
/// own process does; a host that runs the command inside its own process (a test) keeps its sockets as they are, and its
/// children do not inherit a switch they never asked for.
/// </param>
internal sealed class ServeStartup(
    string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment = null, Action<ILoggingBuilder>? configureLogging = null, Action<string>? warn = null, bool inlineSocketCompletions = false) : IAsyncDisposable
{
    public const string Settings = "settings";
    public const string Files = "data directories and TLS certificates";
    public const string Storage = "storage";
    public const string Signers = "signers file";
    public const string EnforcementPolicy = "enforcement policy";
    public const string RegistryListener = "registry listener";
    public const string SigstoreListener = "signature store listener";

    /// <summary>Every check, in the order they run.</summary>
    public static readonly IReadOnlyList<string> Order = [Settings, Files, Storage, Signers, EnforcementPolicy, RegistryListener, SigstoreListener];

    private readonly List<string> _ran = [];
    private ServeSettings? _settings;
    private ServerHost? _host;

    /// <summary>The checks begun so far, in order; after a failure the last is the one that failed.</summary>
    public IReadOnlyList<string> Ran => _ran;

    /// <summary>The settings, once <see cref="Settings"/> passed.</summary>
    public ServeSettings ServeSettings => _settings ?? throw new InvalidOperationException("the settings check has not run");

    /// <summary>The host, once the files check built it (started once every check passed); disposed with this.</summary>
    public ServerHost? Host => _host;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Runs every check in <see cref="Order"/>; throws <see cref="ServerException"/> for the first that fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var check in Checks())
        {
            _ran.Add(check.Name);
            try
            {
                await check.RunAsync(cancellationToken);
            }
            catch (Exception e) when (Problem(check.Name, e) is { } problem)
            {
                throw problem;
            }
        }
    }

    /// <summary>Lazily: the host's own checks exist once the check before them built it.</summary>
    private IEnumerable<StartupCheck> Checks()
    {
        yield return new StartupCheck(Settings, _ =>
        {
            _settings = ServeConfiguration.Load(configFile, flags, environment);
            foreach (var warning in _settings.Warnings)
            {
                warn?.Invoke(warning);
            }

            if (inlineSocketCompletions && InlineSocketCompletions.Configure(onS3: _settings.S3 is not null) is { } socketsWarning)
            {
                warn?.Invoke(socketsWarning);
            }

            return Task.CompletedTask;
        });
        yield return new StartupCheck(Files, _ =>
        {
            _host = new ServerHost(ServeSettings.Registry, ServeSettings.Sigstore, configureLogging, ServeSettings.S3);
            return Task.CompletedTask;
        });
        foreach (var check in _host!.StartChecks)
        {
            yield return check;
        }
    }

    /// <summary>What a check's failure says in one line, naming the setting; null for a bug (a stack trace).</summary>
    private ServerException? Problem(string check, Exception e)
    {
        var settings = _settings;
        return (check, e) switch
        {
            (_, ServerException) => null,
            (Files, UnauthorizedAccessException or IOException) =>
                new ServerException($"cannot create the data directories: {e.Message} (Registry:DataRoot {settings?.Registry.DataRoot}, Sigstore:Root {settings?.Sigstore.Root})", ServerErrorKind.Unavailable),
            (Storage or Signers or EnforcementPolicy, StorageException) => new ServerException(e.Message, ServerErrorKind.Unavailable),
            (RegistryListener, _) when ListenProblem(e) is { } problem => new ServerException($"Registry:Listen {settings?.Registry.Listen}: {problem}", ServerErrorKind.Unavailable),
            (SigstoreListener, _) when ListenProblem(e) is { } problem => new ServerException($"Sigstore:Listen {settings?.Sigstore.Listen}: {problem}", ServerErrorKind.Unavailable),
            _ => null,
        };
    }

    // Kestrel reports a port in use as an IOException ("Failed to bind to address …"), but a port below
    // 1024 without the privilege (EACCES) as the bare SocketException.
    private static string? ListenProblem(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AccessDenied } =>
            $"cannot listen: {e.Message} (ports below 1024 need root or CAP_NET_BIND_SERVICE; or give --registry-listen/--sigstore-listen with a higher port)",
        SocketException => $"cannot listen: {e.Message}",
        IOException { InnerException: SocketException or AddressInUseException } => $"cannot listen: {e.Message}",
        _ => null,
    };
}
