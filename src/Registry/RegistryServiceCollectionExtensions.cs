using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.Security.Login;
using U7s.Security.Writers;

namespace U7s.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the registry's services over the filesystem storage at <see cref="RegistryOptions.DataRoot"/>.
    /// Uses TryAdd throughout, so a caller may register another storage backend first.
    /// </summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, RegistryOptions options)
    {
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RegistryMetrics>();
        services.TryAddSingleton(sp => new StoragePaths(sp.GetRequiredService<RegistryOptions>().DataRoot));
        services.TryAddSingleton<IBlobStore, FileSystemBlobStore>();
        services.TryAddSingleton<IMetadataStore, FileSystemMetadataStore>();
        services.TryAddSingleton<IRegistryLock, FileRegistryLock>();
        services.TryAddSingleton<IStorageProbe, FileSystemStorageProbe>();
        services.TryAddSingleton<Health.StoreReadiness>();
        services.TryAddSingleton(sp => sp.GetRequiredService<RegistryOptions>().Auth);
        services.TryAddSingleton<ICredentialValidator, NoUsers>();
        services.TryAddSingleton<IWriteAccess, NoWriters>();
        services.TryAddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<RegistryOptions>().Auth;
            var throttle = new LoginThrottle(auth.MaxFailedLogins, auth.MaxFailedLoginsPerAddress, auth.FailedLoginWindow, sp.GetRequiredService<TimeProvider>());
            return new LoginGate(sp.GetRequiredService<ICredentialValidator>(), throttle);
        });
        services.TryAddSingleton<IAuditLog>(sp => new Audit.JsonLinesAuditLog(sp.GetRequiredService<RegistryOptions>().AuditLogPath));
        services.TryAddSingleton<ManifestService>();
        services.TryAddSingleton<UploadQuota>();
        services.TryAddSingleton<ManifestSummaries>();
        services.TryAddSingleton<Access.IImageSignatures, Access.NoImageSignatures>();
        services.TryAddSingleton<Access.ManifestAccessGate>();
        services.TryAddSingleton(_ => new StoreChangeFeed());
        services.TryAddSingleton<IStoreChanges>(sp => sp.GetRequiredService<StoreChangeFeed>());
        services.TryAddSingleton<Status.StatusCollector>();
        services.TryAddSingleton<BlobService>();
        services.TryAddSingleton<Gc.GarbageCollector>();
        services.AddHostedService<UploadJanitor>();
        ObserveStores(services);
        return services;
    }

    /// <summary>
    /// Puts <see cref="ObservedMetadataStore"/> and <see cref="ObservedBlobStore"/> around whichever backend is registered
    /// (this method's filesystem one, or one registered before), once, so every change committed through this
    /// container raises its <see cref="StoreChange"/>.
    /// </summary>
    private static void ObserveStores(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StoresObserved)))
        {
            return;
        }

        services.AddSingleton<StoresObserved>();
        Decorate<IMetadataStore>(services, (sp, inner) => new ObservedMetadataStore(inner, sp.GetRequiredService<StoreChangeFeed>()));
        Decorate<IBlobStore>(services, (sp, inner) => new ObservedBlobStore(inner, sp.GetRequiredService<StoreChangeFeed>()));
    }

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        services.AddSingleton(sp => wrap(sp, (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!))));
    }

    /// <summary>Marks a collection whose stores are already observed.</summary>
    private sealed class StoresObserved;
}
