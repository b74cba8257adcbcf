using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cluster.Users;

/// <summary>
/// The key provisioner of a <c>--dry-run</c>: records the key it would generate or reuse and publish, touches no
/// key store. The key it returns is empty: what it is written into is only planned, never written.
/// </summary>
public sealed class PlanningSignerKeys(ChangePlan plan) : ISignerKeyProvisioner
{
    public Task<SignerKey> ProvisionAsync(SignerKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var published = $"{NodePaths.Keys}/{request.User}.pgp";
        plan.Add($"generate (or reuse) the signing key of {request.User} <{request.Email}> in {request.HomeDirectory.TrimEnd('/')}/.local/share/u7s/keys and publish it as {published}");
        return Task.FromResult(new SignerKey("(dry run)", published, Generated: false, PublicKey: string.Empty));
    }
}
