namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// The one OpenPGP seam of U7s (STYLE §8): key generation and reading, simple-signing signatures and
/// their verification. Keys cross the seam as transferable key bytes (armored or binary, as GnuPG
/// exports them), so implementations can be swapped (BouncyCastle today, hand-built packets later).
/// </summary>
public interface IOpenPgp
{
    /// <summary>
    /// Generates an RSA or Ed25519 (EdDSA, algorithm 22, as GnuPG makes it) <b>primary</b> key able to
    /// sign and certify, with no subkeys and one self-signed user ID <c>Name &lt;email&gt;</c>.
    /// With a passphrase the secret part is protected like GnuPG 2.2 exports (iterated+salted S2K,
    /// AES-128, SHA-1 check, usage 254); without one it is stored in the clear with the two-octet
    /// checksum (usage 0). Either form MUST import into gpg and sign there. Returns the binary
    /// transferable secret key.
    /// </summary>
    byte[] GenerateSecretKey(KeyGenerationRequest request);

    /// <summary>
    /// Reads every secret key ring in <paramref name="data"/> (armored or binary). MUST throw
    /// <see cref="OpenPgpException"/> when the data holds no secret key or is malformed.
    /// </summary>
    IReadOnlyList<OpenPgpKeyInfo> ReadSecretKeys(ReadOnlySpan<byte> data, DateTimeOffset now);

    /// <summary>Reads every public key ring (armored or binary); MUST throw <see cref="OpenPgpException"/> on malformed data.</summary>
    IReadOnlyList<OpenPgpKeyInfo> ReadPublicKeys(ReadOnlySpan<byte> data, DateTimeOffset now);

    /// <summary>
    /// The secret key ring whose primary fingerprint is <paramref name="fingerprint"/>, re-encoded
    /// (binary or armored) in a form GnuPG imports and signs with: an unprotected key written with a
    /// SHA-1 check value after usage 0 (earlier U7s versions) gets the two-octet sum instead.
    /// </summary>
    byte[] ExportSecretKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored);

    /// <summary>The public key ring matching the secret key ring with primary <paramref name="fingerprint"/> (binary or armored).</summary>
    byte[] ExportPublicKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored);

    /// <summary>True when <paramref name="passphrase"/> unlocks the primary secret key (always true for an unprotected key).</summary>
    bool CheckPassphrase(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase);

    /// <summary>
    /// Signs <paramref name="payload"/> with the <b>primary</b> key <paramref name="fingerprint"/> as a
    /// binary signed message (SPEC §2.2): one-pass signature, literal data (<c>b</c>, empty name,
    /// date = <paramref name="signingTime"/>), one v4 binary-document signature with
    /// <paramref name="hash"/>; no armor, no compression. MUST throw <see cref="OpenPgpException"/>
    /// for a wrong passphrase or an unknown fingerprint.
    /// </summary>
    byte[] Sign(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, SignatureHash hash, DateTimeOffset signingTime);

    /// <summary>
    /// Checks a simple-signing blob the way containers/image 5.23 with gpgme does: first-byte sniffing
    /// (anything else, armor included, is "unrecognized signature format"), compressed or plain,
    /// either packet order, exactly one signature, a known key from <paramref name="keyrings"/>, a
    /// correct signature, neither the signature nor the key expired at <paramref name="now"/>, key not
    /// revoked. The result names the key that made the signature, which may be a subkey: whether that
    /// key is trusted is the caller's decision. The work MUST be bounded whatever the input (a blob longer
    /// than the largest signed message of a 64 KiB payload refused unread, a bounded expansion of compressed data, a bounded number of packets, a payload of
    /// at most 64 KiB) and MUST stop with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires. Never throws for bad input.
    /// </summary>
    OpenPgpVerification Verify(ReadOnlySpan<byte> signature, IReadOnlyList<ReadOnlyMemory<byte>> keyrings, DateTimeOffset now, CancellationToken cancellationToken);
}
