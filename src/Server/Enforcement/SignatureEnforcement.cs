using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Registry;
using U7s.Registry.Access;
using U7s.Registry.Manifests;
using U7s.Registry.Status;
using U7s.Security.Signers;
using U7s.Server.Storage;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;

namespace U7s.Server.Enforcement;

/// <summary>
/// Wires the registry's <see cref="IImageSignatures"/> to the served signature tree and the
/// <c>Registry:Enforce</c> policy, signers named from the authorization document <paramref name="signers"/>, for <c>u7s serve</c> and <c>u7s status --data</c>: one instance per
/// process, told about every change the process's stores commit (both ports) through <see cref="IStoreChanges"/>. <paramref name="policyName"/>
/// is what errors call the policy (<c>u7s status --policy</c> names its flag).
/// </summary>
internal sealed class SignatureEnforcement(RegistryOptions registry, ISigstoreTree tree, ISignerSource? signers, string policyName = SignatureEnforcement.PolicySetting)
{
    /// <summary>The setting that names the enforcement policy.</summary>
    public const string PolicySetting = "Registry:Enforce:Policy";

    /// <summary>
    /// Registers the <see cref="IImageSignatures"/> the registry's gate and status page use. Its cached verdicts read
    /// their signatures again after any change a store of this process commits (a signature through :81 or through
    /// the store directly, a push, a delete); changes made elsewhere are seen within <c>RecheckAfter</c>.
    /// </summary>
    public IServiceCollection Register(IServiceCollection services) =>
        services.AddSingleton<IImageSignatures>(sp =>
        {
            var signatures = Create(
                new LocalManifestSource(sp.GetRequiredService<ManifestService>()),
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetService<ILoggerFactory>()?.CreateLogger<EnforcementPolicy>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<EnforcementPolicy>.Instance);

            // Lives as long as the container: the verdict cache and the feed are both its singletons.
            _ = sp.GetRequiredService<IStoreChanges>().Subscribe(_ => signatures.Invalidate());
            return signatures;
        })
        .AddSingleton<ITrustedKeyList>(sp => sp.GetRequiredService<IImageSignatures>() as ITrustedKeyList ?? NoTrustedKeys.Instance);

    /// <summary>Reads the policy before the first request; a bad policy stops the start with one line.</summary>
    public static async Task LoadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetRequiredService<IImageSignatures>() is not PolicyImageSignatures signatures)
        {
            return;
        }

        try
        {
            await signatures.Policy.LoadAsync(cancellationToken);
        }
        catch (PolicyException e)
        {
            throw new ServerException($"{signatures.Policy.Name}: {e.Message}");
        }
    }

    private PolicyImageSignatures Create(IManifestSource manifests, TimeProvider time, ILogger<EnforcementPolicy> logger)
    {
        var openPgp = new BouncyCastleOpenPgp();
        var enforce = registry.Enforce;
        var policy = new EnforcementPolicy(enforce.Policy, signers, openPgp, time, enforce.RecheckAfter, logger, policyName);
        return new PolicyImageSignatures(policy, manifests, new TreeSignatures(tree, "the signature tree"), openPgp, registry.Auth.ScopeHost, time, enforce.RecheckAfter);
    }
}
