using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace U7s.Sigstore.OpenPgp;

/// <summary>Checking simple-signing messages the way containers/image 5.23 (gpgme) does (SPEC §2.2).</summary>
public sealed partial class BouncyCastleOpenPgp
{
    public OpenPgpVerification Verify(ReadOnlySpan<byte> signature, IReadOnlyList<ReadOnlyMemory<byte>> keyrings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyrings);
        if (signature.Length > SignedMessageReader.MaxMessageBytes)
        {
            return OpenPgpVerification.Fail(TooLarge);
        }

        // containers/image sniffs the first byte before any crypto; armor ('-') and the rest are refused here.
        if (signature.IsEmpty || !IsSignedMessageStart(signature[0]))
        {
            return OpenPgpVerification.Corrupt("unrecognized signature format");
        }

        SignedMessage message;
        try
        {
            message = SignedMessageReader.Read(signature.ToArray(), cancellationToken);
        }
#pragma warning disable CA1031 // Untrusted bytes: BouncyCastle throws bare Exception for some malformed packets (found by fuzzing).
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
#pragma warning restore CA1031
        {
            return OpenPgpVerification.Corrupt("Invalid GPG signature: " + e.Message);
        }

        if (message.Signatures.Count != 1)
        {
            return OpenPgpVerification.Corrupt($"Unexpected GPG signature count {message.Signatures.Count}");
        }

        if (message.Content is null)
        {
            return OpenPgpVerification.Corrupt("Invalid GPG signature: the message holds no signed data");
        }

        var sig = message.Signatures[0];
        if (sig.SignatureType is not (PgpSignature.BinaryDocument or PgpSignature.CanonicalTextDocument))
        {
            return OpenPgpVerification.Fail($"Invalid GPG signature: signature class 0x{sig.SignatureType:x2} is not a document signature");
        }

        if (sig.HashAlgorithm is not (HashAlgorithmTag.Sha1 or HashAlgorithmTag.Sha224 or HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha384 or HashAlgorithmTag.Sha512))
        {
            return OpenPgpVerification.Fail($"Invalid GPG signature: hash algorithm {sig.HashAlgorithm} is not accepted");
        }

        if (FindKey(keyrings, sig.KeyId) is not var (primary, key, gate))
        {
            return OpenPgpVerification.Fail($"Invalid GPG signature: no public key for key ID {sig.KeyId:X16}");
        }

        if (!CheckSignature(sig, key, message.Content))
        {
            return OpenPgpVerification.Fail($"Invalid GPG signature: bad signature by key {FingerprintOf(key)}");
        }

        var expirySeconds = sig.GetHashedSubPackets()?.GetSignatureExpirationTime() ?? 0;
        if (expirySeconds > 0)
        {
            var expiry = new DateTimeOffset(DateTime.SpecifyKind(sig.CreationTime, DateTimeKind.Utc)).AddSeconds(expirySeconds);
            if (expiry <= now)
            {
                return OpenPgpVerification.Fail($"Invalid GPG signature: signature by key {FingerprintOf(key)} expired at {expiry:u}");
            }
        }

        string? problem;
        lock (gate)
        {
            problem = KeyProblem(primary, key, now);
        }

        if (problem is not null)
        {
            return OpenPgpVerification.Fail("Invalid GPG signature: " + problem);
        }

        return OpenPgpVerification.Ok(message.Content, FingerprintOf(key), FingerprintOf(primary), message.TrailingBytes);
    }

    /// <summary>Why a blob longer than <see cref="SignedMessageReader.MaxMessageBytes"/> fails, however much longer (a caller may have read only that much and one byte).</summary>
    internal static readonly string TooLarge =
        $"Invalid GPG signature: larger than the {SignedMessageReader.MaxMessageBytes} bytes any signed message of a payload of at most {SignedMessageReader.MaxPayloadBytes / 1024} KiB can take";

    /// <summary>First bytes containers/image accepts: compressed data, one-pass signature, signature (old and new packet headers).</summary>
    internal static bool IsSignedMessageStart(byte first) =>
        first is (>= 0xA0 and <= 0xA3) or 0xC8 or (>= 0x90 and <= 0x92) or 0xC4 or (>= 0x88 and <= 0x8B) or 0xC2;

    private static bool CheckSignature(PgpSignature sig, PgpPublicKey key, byte[] content) =>
        RsaSignatureCheck.Verify(sig, key, content) ?? CheckWithBouncyCastle(sig, key, content);

    /// <summary>The managed check: DSA, ECDSA, v3 and text signatures, SHA-1 and SHA-224, and the reference for tests.</summary>
    internal static bool CheckWithBouncyCastle(PgpSignature sig, PgpPublicKey key, byte[] content)
    {
        try
        {
            sig.InitVerify(key);
            sig.Update(content);
            return sig.Verify();
        }
#pragma warning disable CA1031 // As above: a malformed signature packet is a failed check, never a crash.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>The key with <paramref name="keyId"/>, its primary, and the lock for checks on their signatures.</summary>
    private static (PgpPublicKey Primary, PgpPublicKey Key, Lock Gate)? FindKey(IReadOnlyList<ReadOnlyMemory<byte>> keyrings, long keyId)
    {
        foreach (var keyring in keyrings)
        {
            ParsedKeyring parsed;
            try
            {
                parsed = ParsedPublicRings(keyring.Span);
            }
            catch (OpenPgpException)
            {
                // An unreadable keyring holds no usable key; gpg's import would skip it too.
                continue;
            }

            foreach (var ring in parsed.Rings)
            {
                if (ring.GetPublicKey(keyId) is { } key)
                {
                    return (ring.GetPublicKey(), key, parsed.Gate);
                }
            }
        }

        return null;
    }
}
