using U7s.Sigstore.Policy;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Upload;

/// <summary>
/// Which imagemaker may sign (and push) what: the published <c>keys/policy.json</c> of the served tree
/// lists each signer's key (<c>/var/sigstore/keys/&lt;user&gt;.pgp</c>) under the scopes that user signs for,
/// as <c>u7s create-imagemakeruser user@path</c> writes it. One rule for signature uploads on :81 and
/// pushes on :80.
/// </summary>
public sealed class SignerScopes(ISigstoreTree tree)
{
    /// <summary>Where the policy lives in the tree.</summary>
    public const string PolicyPath = "keys/policy.json";

    private const int MaxPolicyBytes = 4 * 1024 * 1024;

    /// <summary>True when the scope that decides <paramref name="identity"/> lists <paramref name="user"/>'s key; false when the file is absent or invalid.</summary>
    public async Task<bool> MaySignAsync(string user, DockerReference identity, CancellationToken cancellationToken)
    {
        PolicyDocument policy;
        try
        {
            var json = await tree.ReadAllOrNullAsync(PolicyPath, MaxPolicyBytes, cancellationToken);
            if (json is null)
            {
                return false;
            }

            policy = PolicyParser.Parse(json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PolicyException)
        {
            // InvalidDataException (too large) is an IOException too.
            return false;
        }

        // Key paths are node-local (/var/sigstore/keys/<user>.pgp); the file name names the signer.
        var (_, requirements) = policy.RequirementsFor(identity);
        return requirements.Any(r => r.Type == RequirementType.SignedBy
            && (r.KeyPaths ?? []).Any(p => Path.GetFileName(p) == user + ".pgp"));
    }
}
