using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// The primary secret key of one key ring, unlocked, and for RSA imported into the platform (OpenSSL)
/// once. Importing is what a signature cost before: OpenSSL checks an imported private key, primality of
/// p and q included, which took 25–70 ms for RSA 2048 and 300 ms for RSA 4096, many times the signature
/// itself. Kept by <see cref="BouncyCastleOpenPgp"/> for the key it last signed with, so a load that signs
/// a hundred images unlocks and imports once; the server process never signs.
/// </summary>
internal sealed class UnlockedKey
{
    private readonly byte[] _secretKeys;
    private readonly string _passphrase;

    public UnlockedKey(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, PgpSecretKey secret, PgpPrivateKey privateKey)
    {
        _secretKeys = secretKeys.ToArray();
        _passphrase = passphrase.ToString();
        Fingerprint = fingerprint;
        Secret = secret;
        PrivateKey = privateKey;
        Rsa = privateKey.Key is RsaPrivateCrtKeyParameters rsa ? RsaSignedMessage.Import(rsa) : null;
    }

    public string Fingerprint { get; }

    public PgpSecretKey Secret { get; }

    public PgpPrivateKey PrivateKey { get; }

    /// <summary>The platform's RSA key, for an RSA primary; null otherwise.</summary>
    public RSA? Rsa { get; }

    /// <summary>True when this is the key <paramref name="secretKeys"/> and <paramref name="fingerprint"/> name, unlocked with <paramref name="passphrase"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase) =>
        string.Equals(Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase)
        && secretKeys.SequenceEqual(_secretKeys)
        && passphrase.SequenceEqual(_passphrase);
}
