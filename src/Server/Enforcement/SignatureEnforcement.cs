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
/// process, told about the process's own changes through the audit log it shares with :81. <paramref name="policyName"/>
/// is what errors call the policy (<c>u7s status --policy</c> names its flag).
/// </summary>
internal sealed class SignatureEnforcement(RegistryOptions registry, ISigstoreTree tree, ISignerSource? signers, string policyName = SignatureEnforcement.PolicySetting)
{
    /// <summary>The setting that names the enforcement policy.</summary>
    public const string PolicySetting = "Registry:Enforce:Policy";

    private PolicyImageSignatures? _signatures;

    /// <summary>Changes this process made, for the status page's cached list.</summary>
    public StoreChanges Changes { get; } = new();

    /// <summary>The audit log to share between both ports: each recorded change makes cached verdicts read their signatures again, and the status page collect again.</summary>
    public IAuditLog Observe(IAuditLog inner) => new InvalidatingAuditLog(inner, _ =>
    {
        _signatures?.Invalidate();
        Changes.Changed();
    });

    /// <summary>Registers the <see cref="IImageSignatures"/> the registry's gate and status page use.</summary>
    public IServiceCollection Register(IServiceCollection services) =>
        services.AddSingleton(Changes).AddSingleton<IImageSignatures>(sp => _signatures = Create(
            new LocalManifestSource(sp.GetRequiredService<ManifestService>()),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()?.CreateLogger<EnforcementPolicy>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<EnforcementPolicy>.Instance))
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
