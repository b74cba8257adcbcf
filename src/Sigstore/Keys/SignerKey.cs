namespace U7s.Sigstore.Keys;

/// <summary>
/// A key ready to sign: the primary fingerprint, the secret key bytes, the matching public key
/// (binary; used to recognise this key's earlier signatures) and the passphrase that unlocks it.
/// </summary>
public sealed record SignerKey(string Fingerprint, byte[] SecretKey, byte[] PublicKey, string? Passphrase)
{
    /// <summary>Never print the passphrase.</summary>
    public override string ToString() => $"SignerKey {Fingerprint}";
}
