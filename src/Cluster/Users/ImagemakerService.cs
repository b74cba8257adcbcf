using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Security.Signers;

namespace U7s.Cluster.Users;

/// <summary>
/// <c>u7s create-imagemakeruser user[@scope]…</c> (SPEC §4, §3.2-3.3): account in <c>podman</c> and
/// <c>podman_dev</c>, a batch signing key published to <c>/var/sigstore/keys/&lt;user&gt;.pgp</c>, a
/// <c>signedBy</c> for the scope in the system policy and its published copy, and the user's own
/// registries.d (with the staging lookaside) and policy.json (system policy, default accept). A second
/// signer for a scope is added beside the first, never in its place, and the report says so.
/// The rights themselves (the policy and each signer's public key, as the provisioner returned it, never
/// read back from the group-writable served <c>keys/</c>) go to the root-owned authorization file
/// <see cref="ClusterOptions.Signers"/>, which <c>u7s serve</c> reads; the served copies are for nodes. This node's
/// own policy names the root-owned copies in <see cref="NodePaths.TrustedKeys"/>, written from the same keys
/// (<see cref="TrustedKeys"/>); the served <c>keys/policy.json</c> names the served ones, as podsec nodes expect.
/// Every file in a home is written by descriptor, as the user's, through <see cref="UserConfigWriter"/>.
/// </summary>
public sealed class ImagemakerService(NodeFileWriter writer, SystemAccounts accounts, ISignerKeyProvisioner signers, ClusterOptions options)
{
    public const string UserPolicy = ".config/containers/policy.json";
    public const string UserRegistriesD = ".config/containers/registries.d/default.yaml";

    private readonly UserConfigWriter _userFiles = new(writer);

    public async Task<IReadOnlyList<string>> RunAsync(CreateImagemakerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var existing = writer.ReadOrNull(NodePaths.Policy)
            ?? throw new ClusterException($"{NodePaths.Policy} does not exist: run u7s create-policy first", ClusterErrorKind.Refused);
        // Imagemakers push and write signatures on the registry node: only there is the signature tree.
        if (!Directory.Exists(writer.Root.Resolve(NodePaths.Keys)) || !Directory.Exists(writer.Root.Resolve(NodePaths.Signatures)))
        {
            throw new ClusterException(
                $"{NodePaths.Keys} or {NodePaths.Signatures} does not exist: create imagemakers on the registry node after u7s create-policy --role registry", ClusterErrorKind.Refused);
        }

        var keys = new TrustedKeys(writer, options.PathsIncludeRoot ? writer.Root.Path : string.Empty);
        EditablePolicy policy;
        try
        {
            // An older install's policy named the served keys/ copies: from now on the trusted ones.
            policy = keys.ToTrusted(EditablePolicy.Parse(existing));
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException($"{NodePaths.Policy} is invalid: {e.Message}", ClusterErrorKind.InvalidInput);
        }

        var authorization = keys.ReadAuthorization(options.Signers);

        // A scope that cannot take a signer is refused before any account or key is made.
        foreach (var spec in request.Users)
        {
            _ = policy.WithSigner(spec.Scope, keys.TrustedPath(spec.User));
        }

        var report = new List<string>();
        foreach (var group in new[] { CreatePolicyService.PodmanGroup, CreatePolicyService.PodmanDevGroup })
        {
            if (await accounts.EnsureGroupAsync(group, cancellationToken))
            {
                report.Add($"group {group} created");
            }
        }

        foreach (var spec in request.Users)
        {
            if (await accounts.EnsureUserAsync(spec.User, [CreatePolicyService.PodmanGroup, CreatePolicyService.PodmanDevGroup], cancellationToken) is { } note)
            {
                report.Add(note);
            }

            var user = accounts.FindUser(spec.User) ?? throw new ClusterException($"user {spec.User} is missing after useradd");
            var key = await signers.ProvisionAsync(new SignerKeyRequest(spec.User, request.EmailOf(spec.User), user.Home, writer.Root), cancellationToken);
            report.Add($"{spec.User}: signing key {key.Fingerprint} {(key.Generated ? "generated" : "reused")}, public key {key.PublicKeyPath}");

            var keyPath = keys.TrustedPath(spec.User);
            var (updated, change, others) = policy.WithSigner(spec.Scope, keyPath);
            policy = updated;
            authorization = (authorization ?? SignersDocument.Create(policy.ToJson(), new Dictionary<string, string>())).With(policy.ToJson(), spec.User, key.PublicKey);
            report.Add(change switch
            {
                SignerChange.ScopeCreated => $"policy scope {spec.Scope}: signed by {keyPath}",
                SignerChange.AddedBesideOthers => $"policy scope {spec.Scope}: {keyPath} ADDED to keyPaths beside {string.Join(", ", others)} (a signature by any of them is accepted; remove a key from the policies and {options.Signers} by hand if it should no longer sign)",
                _ => $"policy scope {spec.Scope}: {keyPath} already trusted",
            });
        }

        // Keys first, then the policy naming them: a node never trusts a key path that is not there yet.
        var served = keys.ToServed(policy).ToJson();
        authorization = SignersDocument.Create(served, authorization!.Keys);
        await keys.InstallAsync(authorization.Keys.ToDictionary(k => $"{k.Key}.pgp", k => System.Text.Encoding.ASCII.GetBytes(k.Value)), report, cancellationToken);
        var systemChange = await writer.WriteDatedAsync(NodePaths.Policy, policy.ToJson(), FileModes.Mode0644, EditablePolicy.Validate, cancellationToken);
        AddChange(report, systemChange);
        AddChange(report, await writer.WriteBytesAsync(options.Signers, authorization.ToJson(), FileModes.Mode0644, cancellationToken));
        AddChange(report, await writer.WriteAsync(NodePaths.KeysPolicy, served, FileModes.Mode0644, cancellationToken));
        report.AddRange(keys.Missing(policy));

        // Every imagemaker's own policy follows the system one (podsec regenerated them all too).
        var userPolicy = policy.WithDefault("insecureAcceptAnything").ToJson();
        var registriesD = RegistriesD.Render(options.LookasideUrl, request.StagingUrl);
        var imagemakers = accounts.MembersOf(CreatePolicyService.PodmanDevGroup).Union(request.Users.Select(u => u.User)).Distinct(StringComparer.Ordinal);
        foreach (var name in imagemakers)
        {
            if (accounts.FindUser(name) is not { } user)
            {
                continue;
            }

            try
            {
                AddChange(report, await _userFiles.WriteAsync(user, $"{user.Home.TrimEnd('/')}/{UserRegistriesD}", registriesD, cancellationToken));
                AddChange(report, await _userFiles.WriteAsync(user, $"{user.Home.TrimEnd('/')}/{UserPolicy}", userPolicy, cancellationToken));
            }
            catch (ClusterException e) when (e.Kind == ClusterErrorKind.Refused)
            {
                // A link or file a user put in their own home hurts only their own configuration: the others still get theirs.
                report.Add($"WARNING: {name}: {e.Message}; that user's container configuration was not updated");
            }
        }

        if (systemChange.Changed)
        {
            report.Add("other nodes: run u7s create-policy again to download the new key and policy; a node that trusts keys already refuses the change until run with --accept-new-keys (check the fingerprints it prints against the ones above)");
        }

        return report;
    }

    private static void AddChange(List<string> report, FileChange change)
    {
        if (change.Changed)
        {
            report.Add(change.ToString());
        }
    }
}
