using U7s.Oci.Policy;

namespace U7s.Security.Signers;

/// <summary>
/// One reading of the authorization document: a user may sign (and push) an identity when the policy
/// scope that decides it (the most specific one, as nodes pick it) lists the user's key file
/// <c>&lt;user&gt;.pgp</c> and the document holds that user's key.
/// </summary>
public sealed class SignerRights
{
    public static readonly SignerRights None = new(null, new Dictionary<string, string>());

    private readonly PolicyDocument? _policy;
    private readonly IReadOnlyDictionary<string, string> _keys;

    public SignerRights(PolicyDocument? policy, IReadOnlyDictionary<string, string> keys)
    {
        _policy = policy;
        _keys = keys;
    }

    /// <summary>The user's public key (armored bytes), or null when the document has none.</summary>
    public byte[]? KeyOrNull(string user) => _keys.TryGetValue(user, out var key) ? System.Text.Encoding.UTF8.GetBytes(key) : null;

    public bool MaySign(string user, DockerReference identity)
    {
        if (_policy is null || !_keys.ContainsKey(user))
        {
            return false;
        }

        // Key paths are node-local (/var/sigstore/keys/<user>.pgp); the file name names the signer.
        var (_, requirements) = _policy.RequirementsFor(identity);
        return requirements.Any(r => r.Type == RequirementType.SignedBy
            && (r.KeyPaths ?? []).Any(p => Path.GetFileName(p) == user + ".pgp"));
    }
}
