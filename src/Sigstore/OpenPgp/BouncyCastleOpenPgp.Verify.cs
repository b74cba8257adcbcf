using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace U7s.Sigstore.OpenPgp;

/// <summary>Checking simple-signing messages the way containers/image 5.23 (gpgme) does (SPEC §2.2).</summary>
public sealed partial class BouncyCastleOpenPgp
{
    /// <summary>Largest signed payload read out of a message (the lookaside limit per signature).</summary>
    private const int MaxContentBytes = 4 * 1024 * 1024;

    public OpenPgpVerification Verify(ReadOnlySpan<byte> signature, IReadOnlyList<ReadOnlyMemory<byte>> keyrings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keyrings);

        // containers/image sniffs the first byte before any crypto; armor ('-') and the rest are refused here.
        if (signature.IsEmpty || !IsSignedMessageStart(signature[0]))
        {
            return OpenPgpVerification.Fail("unrecognized signature format");
        }

        SignedMessage message;
        try
        {
            message = ReadMessage(signature.ToArray());
        }
#pragma warning disable CA1031 // Untrusted bytes: Portable.BouncyCastle 1.8.10 throws bare Exception for some malformed packets (found by fuzzing).
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return OpenPgpVerification.Fail("Invalid GPG signature: " + e.Message);
        }

        if (message.Signatures.Count != 1)
        {
            return OpenPgpVerification.Fail($"Unexpected GPG signature count {message.Signatures.Count}");
        }

        if (message.Content is null)
        {
            return OpenPgpVerification.Fail("Invalid GPG signature: the message holds no signed data");
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

        return OpenPgpVerification.Ok(message.Content, FingerprintOf(key), FingerprintOf(primary));
    }

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

    private static SignedMessage ReadMessage(byte[] data)
    {
        var message = new SignedMessage();
        var factory = new PgpObjectFactory(data);
        var decompressed = false;
        while (true)
        {
            var item = factory.NextPgpObject();
            switch (item)
            {
                case null:
                    return message;
                case PgpCompressedData compressed when !decompressed && message.IsEmpty:
                    decompressed = true;
                    factory = new PgpObjectFactory(compressed.GetDataStream());
                    break;
                case PgpOnePassSignatureList onePass:
                    message.OnePassCount += onePass.Count;
                    break;
                case PgpSignatureList signatures:
                    for (var i = 0; i < signatures.Count; i++)
                    {
                        message.Signatures.Add(signatures[i]);
                    }

                    break;
                case PgpLiteralData literal when message.Content is null:
                    message.Content = ReadBounded(literal.GetInputStream());
                    break;
                case PgpMarker:
                    break;
                default:
                    throw new PgpException($"unexpected {item.GetType().Name} in a signed message");
            }
        }
    }

    private static byte[] ReadBounded(Stream input)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxContentBytes)
            {
                throw new InvalidDataException("signed payload larger than 4 MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private sealed class SignedMessage
    {
        public List<PgpSignature> Signatures { get; } = [];

        public byte[]? Content { get; set; }

        public int OnePassCount { get; set; }

        public bool IsEmpty => Signatures.Count == 0 && Content is null && OnePassCount == 0;
    }
}
