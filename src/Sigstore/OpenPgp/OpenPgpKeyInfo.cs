namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// What U7s needs to know about one key ring: the primary key's identity and validity, and whether a
/// subkey can sign (such keys are refused as signers, SPEC §2.3).
/// </summary>
/// <param name="Fingerprint">Primary key fingerprint, upper-case hex as GnuPG prints it.</param>
/// <param name="UserIds">Self-signed user IDs, e.g. <c>Image Maker &lt;imagemaker@example.test&gt;</c>.</param>
/// <param name="Algorithm">Public-key algorithm of the primary key (e.g. <c>RsaGeneral</c>, <see cref="Ed25519"/>).</param>
/// <param name="Bits">Key size in bits.</param>
/// <param name="CreatedAt">Creation time of the primary key.</param>
/// <param name="ExpiresAt">When the primary key expires; null for never.</param>
/// <param name="IsRevoked">True when a verified revocation signature exists.</param>
/// <param name="IsExpired">True when the primary key expired before the time the key was read at.</param>
/// <param name="SigningSubkeyFingerprints">Subkeys able to sign (empty for a good signer key).</param>
/// <param name="IsProtected">True when the secret part needs a passphrase (secret keys only).</param>
public sealed record OpenPgpKeyInfo(
    string Fingerprint,
    IReadOnlyList<string> UserIds,
    string Algorithm,
    int Bits,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    bool IsRevoked,
    bool IsExpired,
    IReadOnlyList<string> SigningSubkeyFingerprints,
    bool IsProtected)
{
    /// <summary>EdDSA on Ed25519 as GnuPG 2.2/2.4 writes it (algorithm 22, a v4 key).</summary>
    public const string Ed25519 = "Ed25519";

    /// <summary>
    /// Ed25519 in RFC 9580's form (algorithm 27). BouncyCastle 2.7.0 reads such keys but neither parses
    /// nor makes their signatures, and GnuPG 2.2 (gpgme on the nodes) does not know them either.
    /// </summary>
    public const string Ed25519Rfc9580 = "Ed25519-RFC9580";

    /// <summary>True for RSA keys, whose size matters (<see cref="Bits"/>).</summary>
    public bool IsRsa => Algorithm.StartsWith("Rsa", StringComparison.Ordinal);

    /// <summary>The e-mail addresses of <see cref="UserIds"/> (text between the last <c>&lt;</c> and <c>&gt;</c>, or the whole ID when it is an address).</summary>
    public IReadOnlyList<string> Emails => UserIds.Select(EmailOf).Where(e => e is not null).Select(e => e!).ToList();

    public static string? EmailOf(string userId)
    {
        var open = userId.LastIndexOf('<');
        var close = userId.LastIndexOf('>');
        if (open >= 0 && close > open)
        {
            return userId[(open + 1)..close];
        }

        return userId.Contains('@', StringComparison.Ordinal) && !userId.Contains(' ', StringComparison.Ordinal) ? userId : null;
    }
}
