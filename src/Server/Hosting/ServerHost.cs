using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Audit;
using U7s.Registry.Http;
using U7s.Registry.Manifests;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Security.Login;
using U7s.Security.Proxies;
using U7s.Security.Signers;
using U7s.Security.Writers;
using U7s.Server.Enforcement;
using U7s.Server.Storage;
using U7s.Sigstore;
using U7s.Sigstore.Http;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.Store;

namespace U7s.Server.Hosting;

/// <summary>
/// The one process of <c>u7s serve</c>: two web applications (registry and signature store), each
/// with its own listener, started and stopped together: when one stops, both stop.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    /// <summary>How long requests under way may run on after a stop was asked for.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    private readonly WebApplication _registry;
    private readonly WebApplication _sigstore;
    private readonly S3Storage? _s3;
    private readonly ISigstoreTree _tree;
    private readonly ISignerSource _signers;

    /// <param name="s3">Keep blobs, links, uploads, signatures and keys in this S3 store instead of on local disk.</param>
    public ServerHost(RegistryOptions registry, SigstoreOptions sigstore, Action<ILoggingBuilder>? configureLogging = null, S3StorageOptions? s3 = null)
    {
        // The data root still holds what is per process: the audit log (and, on the filesystem backend, everything).
        Directory.CreateDirectory(registry.DataRoot);
        _s3 = s3 is null ? null : new S3Storage(s3);
        if (_s3 is null)
        {
            Directory.CreateDirectory(sigstore.Root);
        }

        var metrics = new RegistryMetrics();
        var registryCertificate = TlsCertificates.LoadOrNull(registry.TlsCertificate, registry.TlsKey, RegistryOptions.SectionName);
        // One throttle for both ports: failures on :81 count against the same (user, address) and address as on :80.
        var throttle = new LoginThrottle(registry.Auth.MaxFailedLogins, registry.Auth.MaxFailedLoginsPerAddress, registry.Auth.FailedLoginWindow, TimeProvider.System);
        var logins = new LoginGate(registry.Auth.Htpasswd is null ? new NoUsers() : new HtpasswdCredentials(registry.Auth.Htpasswd, TimeProvider.System), throttle);
        var sigstoreLogins = sigstore.HtpasswdPath is null || sigstore.HtpasswdPath == registry.Auth.Htpasswd
            ? logins
            : new LoginGate(new HtpasswdCredentials(sigstore.HtpasswdPath, TimeProvider.System), throttle);

        // One served tree for both ports (:81 serves and stores into it); imagemaker rights come from the
        // root-owned authorization file (or, on S3, the bucket's authz/ object), never from that tree.
        _tree = _s3?.Tree ?? new FileSystemSigstoreTree(sigstore.Root);
        _signers = _s3 is null ? new SignersFile(registry.Auth.Signers) : new S3SignersSource(_s3.Bucket);
        // :80 judges manifest reads and shows signatures from the same tree; the stores of both ports raise their
        // changes on one feed, which the verdict cache and the status page follow.
        var enforcement = new SignatureEnforcement(registry, _tree, _signers);
        var changes = new StoreChangeFeed(e => StoreLog.ObserverFailed(_registry?.Services.GetService<ILoggerFactory>(), e));
        var auditLog = new JsonLinesAuditLog(registry.AuditLogPath);
        _registry = RegistryApp.Build(
            registry,
            s => enforcement.Register(_s3?.AddRegistryStorage(s) ?? s).AddSingleton(metrics)
                .AddSingleton(changes)
                .AddSingleton<IAuditLog>(auditLog)
                .AddSingleton(logins)
                .AddSingleton(_signers)
                .AddSingleton<SignerScopes>()
                .AddSingleton<IWriteAccess>(sp => new RegistryWriteAccess(registry.Auth.Writers, registry.Auth.ScopeHost, sp.GetRequiredService<SignerScopes>())),
            configureLogging,
            registryCertificate,
            ProxyProtocol(registry));

        // The signature store checks manifests in this process's store.
        var manifests = _registry.Services.GetRequiredService<ManifestService>();
        var sigstoreCertificate = TlsCertificates.LoadOrNull(sigstore.TlsCertificate, sigstore.TlsKey, SigstoreOptions.SectionName);
        _sigstore = SigstoreApp.Build(
            sigstore,
            s => s.AddSingleton<IManifestSource>(new LocalManifestSource(manifests)).AddSingleton<IAuditLog>(auditLog).AddSingleton(changes).AddSingleton(_tree).AddSingleton(_signers).AddSingleton(sigstoreLogins),
            configureLogging,
            sigstoreCertificate,
            ProxyProtocol(registry));
    }

    /// <summary>Base URL of the registry, e.g. <c>http://127.0.0.1:41234</c>, once started.</summary>
    public Uri RegistryUrl => Address(_registry);

    public Uri SigstoreUrl => Address(_sigstore);

    /// <summary>The signature store both ports share (its changes reach the registry's caches at once).</summary>
    public SignatureStore Signatures => _sigstore.Services.GetRequiredService<SignatureStore>();

    /// <summary>What the registry listens on as bound (<c>http://0.0.0.0:80</c>), for the start-up line.</summary>
    public string RegistryListen => Bound(_registry);

    /// <summary>What the signature store listens on as bound.</summary>
    public string SigstoreListen => Bound(_sigstore);

    /// <summary>Where the content lives, for the start-up line.</summary>
    public string StorageDescription(RegistryOptions registry) => _s3?.Describe() ?? registry.DataRoot;

    /// <summary>
    /// What <see cref="StartAsync"/> runs, in order, after the settings and this host's construction (data directories,
    /// TLS certificates): the store reachable, the signers file, the enforcement policy, then each port listening.
    /// </summary>
    public IReadOnlyList<StartupCheck> StartChecks =>
    [
        new(ServeStartup.Storage, cancellationToken => _s3?.EnsureReadyAsync(cancellationToken) ?? Task.CompletedTask),
        new(ServeStartup.Signers, cancellationToken => SignersStartCheck.RunAsync(_signers, _tree, cancellationToken)),
        new(ServeStartup.EnforcementPolicy, cancellationToken => SignatureEnforcement.LoadAsync(_registry.Services, cancellationToken)),
        new(ServeStartup.RegistryListener, cancellationToken => _registry.StartAsync(cancellationToken)),
        new(ServeStartup.SigstoreListener, cancellationToken => _sigstore.StartAsync(cancellationToken)),
    ];

    /// <summary>Runs <see cref="StartChecks"/> in order; the first that fails throws.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var check in StartChecks)
        {
            await check.RunAsync(cancellationToken);
        }
    }

    /// <summary>After <see cref="StartAsync"/>: waits until <paramref name="cancellationToken"/> fires or either application stops, then stops both.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var registryStopped = WaitStoppedAsync(_registry);
        var sigstoreStopped = WaitStoppedAsync(_sigstore);
        await Task.WhenAny(registryStopped, sigstoreStopped, Task.Delay(Timeout.Infinite, cancellationToken)).ContinueWith(_ => { }, TaskScheduler.Default);
        await StopAsync();
    }

    /// <summary>
    /// Stops taking connections, gives requests under way <see cref="StopGrace"/> to finish, then closes their
    /// connections. Cutting one loses nothing: an upload is committed only by its last request, which once it has
    /// arrived whole is finished whatever happens to its connection; clients retry a cut pull or chunk. A longer
    /// wait would hold up every restart for the slowest client (and was cut short at 2 s by the signal handling anyway).
    /// </summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(StopGrace);
        await Task.WhenAll(_registry.StopAsync(timeout.Token), _sigstore.StopAsync(timeout.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _sigstore.DisposeAsync();
        _s3?.Dispose();
    }

    private static Task WaitStoppedAsync(WebApplication app)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Lifetime.ApplicationStopping.Register(() => done.TrySetResult());
        return done.Task;
    }

    /// <summary>A URL this process reaches the application on: a wildcard address is reached through 127.0.0.1.</summary>
    private static Uri Address(WebApplication app) =>
        new(Bound(app).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));

    private static string Bound(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? throw new InvalidOperationException("server not started");

    /// <summary>
    /// Both listeners take connections from <see cref="RegistryOptions.TrustedProxies"/> only, each with its PROXY header,
    /// when <see cref="RegistryOptions.ProxyProtocol"/> is on; nothing otherwise.
    /// </summary>
    private static Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? ProxyProtocol(RegistryOptions registry) =>
        registry.ProxyProtocol ? ProxyProtocolListener.Require(registry.RequestHeadersTimeout, registry.TrustedProxyNetworks()) : null;
}
