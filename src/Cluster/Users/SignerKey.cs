namespace U7s.Cluster.Users;

/// <summary>
/// A provisioned signer key: its primary fingerprint (40 hex, upper case), the node path of the
/// published public key (<c>/var/sigstore/keys/&lt;user&gt;.pgp</c>, the path policy.json names) and
/// whether it was generated now or reused.
/// </summary>
public sealed record SignerKey(string Fingerprint, string PublicKeyPath, bool Generated);
