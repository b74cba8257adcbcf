using U7s.Sigstore.Policy;

namespace U7s.Sigstore.Upload;

/// <summary>
/// Which imagemaker may sign (and push) what: the published <c>keys/policy.json</c> lists each
/// signer's key (<c>/var/sigstore/keys/&lt;user&gt;.pgp</c>) under the scopes that user signs for, as
/// <c>u7s create-imagemakeruser user@path</c> writes it. One rule for signature uploads on :81 and
/// pushes on :80.
/// </summary>
public sealed class SignerScopes(string sigstoreRoot)
{
    public string PolicyPath => Path.Combine(sigstoreRoot, "keys", "policy.json");

    /// <summary>True when the scope that decides <paramref name="identity"/> lists <paramref name="user"/>'s key; false when the file is absent or invalid.</summary>
    public async Task<bool> MaySignAsync(string user, DockerReference identity, CancellationToken cancellationToken)
    {
        PolicyDocument policy;
        try
        {
            policy = PolicyParser.Parse(await File.ReadAllBytesAsync(PolicyPath, cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PolicyException)
        {
            return false;
        }

        // Key paths are node-local (/var/sigstore/keys/<user>.pgp); the file name names the signer.
        var (_, requirements) = policy.RequirementsFor(identity);
        return requirements.Any(r => r.Type == RequirementType.SignedBy
            && (r.KeyPaths ?? []).Any(p => Path.GetFileName(p) == user + ".pgp"));
    }
}
