using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore;

/// <summary>The one registration point of the signing services (STYLE §5); <c>TryAdd</c> so callers and tests can register their own first.</summary>
public static class SigstoreServiceCollectionExtensions
{
    /// <summary>Failed logins of one user from one address per minute before 429, when no shared <see cref="LoginGate"/> is registered.</summary>
    public const int DefaultMaxFailedLogins = 10;

    /// <summary>Failed logins from one address (any users) per minute before 429, when no shared <see cref="LoginGate"/> is registered.</summary>
    public const int DefaultMaxFailedLoginsPerAddress = 30;

    /// <summary>
    /// Registers over <paramref name="options"/>: <see cref="IOpenPgp"/> (BouncyCastle),
    /// <see cref="TimeProvider"/>, the served <see cref="ISigstoreTree"/> (a caller's, e.g. S3, or the
    /// filesystem at <see cref="SigstoreOptions.Root"/>), <see cref="SignatureStore"/> and
    /// <see cref="SignerScopes"/> over the authorization file (<see cref="SignersDocument.DefaultPath"/> unless
    /// an <see cref="ISignerSource"/> is registered), the <see cref="LoginGate"/> of PUT uploads (over
    /// <see cref="SigstoreOptions.HtpasswdPath"/>, unless <c>u7s serve</c> registers the one it shares with :80),
    /// <see cref="SignatureVerifier"/>, <see cref="ImageSigner"/> writing <paramref name="creator"/>,
    /// <see cref="IManifestSource"/> over HTTP (<see cref="SigstoreOptions.RegistryUrl"/>) and the
    /// upload service of the :81 PUT endpoint.
    /// </summary>
    public static IServiceCollection AddSigstore(this IServiceCollection services, SigstoreOptions options, string creator = "u7s")
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IOpenPgp, BouncyCastleOpenPgp>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISigstoreTree>(_ => new FileSystemSigstoreTree(options.Root));
        services.TryAddSingleton<SignatureStore>();
        services.TryAddSingleton<ISignerSource>(_ => new SignersFile(SignersDocument.DefaultPath));
        services.TryAddSingleton<SignerScopes>();
        services.TryAddSingleton(sp => new LoginGate(
            options.HtpasswdPath is null ? new NoUsers() : new HtpasswdFile(options.HtpasswdPath),
            new LoginThrottle(DefaultMaxFailedLogins, DefaultMaxFailedLoginsPerAddress, TimeSpan.FromMinutes(1), sp.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton<SignatureVerifier>();
        services.TryAddSingleton(sp => new ImageSigner(sp.GetRequiredService<IOpenPgp>(), sp.GetRequiredService<SignatureStore>(), sp.GetRequiredService<TimeProvider>(), creator));
        services.TryAddSingleton<IManifestSource>(_ => new HttpManifestSource(
            new HttpClient { Timeout = TimeSpan.FromMinutes(1) },
            options.RegistryUrl is null ? null : new Uri(options.RegistryUrl)));
        services.TryAddSingleton<SignatureUploadService>();
        return services;
    }

}
