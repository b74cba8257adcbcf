namespace U7s.Cluster.Users;

/// <summary>
/// A provisioned signer key: its primary fingerprint (40 hex, upper case), the node path of the
/// published public key (<c>/var/sigstore/keys/&lt;user&gt;.pgp</c>, the path policy.json names) and
/// whether it was generated now or reused, and the ASCII-armored public key itself (what the
/// authorization file records: the published file is writable by imagemakers and never read back).
/// </summary>
public sealed record SignerKey(string Fingerprint, string PublicKeyPath, bool Generated, string PublicKey);
