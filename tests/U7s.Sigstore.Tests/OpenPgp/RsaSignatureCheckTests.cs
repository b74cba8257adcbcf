using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Tests.OpenPgp;

/// <summary>The platform RSA check must judge every signature exactly as BouncyCastle's managed check does.</summary>
public sealed class RsaSignatureCheckTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"critical\":{\"type\":\"atomic container signature\"}}");
    private readonly BouncyCastleOpenPgp _pgp = new();

    public static TheoryData<string> Shapes => ["sha256", "sha512", "sha384-extra-subpackets", "subkey-sha256"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ValidSignature_BothPathsAccept(string shape)
    {
        var (blob, keyring) = Make(shape);

        var (fast, managed) = CheckBoth(blob, keyring, content => content);

        Assert.True(fast);
        Assert.True(managed);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TamperedPayload_BothPathsReject(string shape)
    {
        var (blob, keyring) = Make(shape);

        var (fast, managed) = CheckBoth(blob, keyring, content =>
        {
            var changed = (byte[])content.Clone();
            changed[^2] ^= 0x01;
            return changed;
        });

        Assert.False(fast);
        Assert.False(managed);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TamperedSignatureValue_BothPathsReject(string shape)
    {
        var (blob, keyring) = Make(shape);

        // The RSA value is the last MPI of the last packet: its final byte.
        blob[^1] ^= 0x40;
        var (fast, managed) = CheckBoth(blob, keyring, content => content);

        Assert.False(fast);
        Assert.False(managed);
    }

    [Fact]
    public void TamperedHashedSubpacket_BothPathsReject()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

        // v4, binary document, RSA, SHA-256, 6 bytes of hashed subpackets: creation time (type 2).
        var at = blob.AsSpan().IndexOf(new byte[] { 4, 0, 1, 8, 0, 6, 5, 2 });
        Assert.True(at > 0);
        blob[at + 11] ^= 0x01;
        var (fast, managed) = CheckBoth(blob, SampleKeys.SignerPublic, content => content);

        Assert.False(fast);
        Assert.False(managed);
    }

    [Fact]
    public void WrongKeyWithTheSameId_BothPathsReject()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);
        var (signature, content) = ReadMessage(blob);
        var other = PublicKeys(SampleKeys.ProtectedPublic).First(k => k.IsMasterKey);

        Assert.False(RsaSignatureCheck.Verify(signature, other, content));
        Assert.False(BouncyCastleOpenPgp.CheckWithBouncyCastle(signature, other, content));
    }

    [Theory]
    [InlineData(HashAlgorithmTag.Sha1, PgpSignature.BinaryDocument)]
    [InlineData(HashAlgorithmTag.Sha224, PgpSignature.BinaryDocument)]
    [InlineData(HashAlgorithmTag.Sha256, PgpSignature.CanonicalTextDocument)]
    public void UnhandledShapes_AreLeftToBouncyCastle(HashAlgorithmTag hash, int signatureType)
    {
        var blob = SignWithBouncyCastle(SampleKeys.SignerSecret, primary: true, hash, signatureType, extraSubpackets: false);
        var (signature, content) = ReadMessage(blob);
        var key = PublicKeys(SampleKeys.SignerPublic).Single(k => k.KeyId == signature.KeyId);

        Assert.Null(RsaSignatureCheck.Verify(signature, key, content));
        Assert.True(_pgp.Verify(blob, [SampleKeys.SignerPublic], Now, default).IsValid);
    }

    [Fact]
    public async Task ConcurrentChecks_OnOneCachedKeyring_AllAgree()
    {
        // Subkey checks verify the binding signature inside the shared parsed keyring, which
        // re-initialises that signature object: the cache must serialise those checks.
        var (blob, keyring) = Make("subkey-sha256");
        var (tampered, _) = Make("subkey-sha256");
        tampered[^1] ^= 0x40;

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() =>
            _pgp.Verify(i % 4 == 3 ? tampered : blob, [keyring], Now, default))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 4 != 3, results[i].IsValid);
            if (results[i].IsValid)
            {
                Assert.NotEqual(results[i].PrimaryFingerprint, results[i].SignerFingerprint);
            }
            else
            {
                Assert.Contains("bad signature", results[i].Error, StringComparison.Ordinal);
            }
        }
    }

    private (byte[] Blob, byte[] Keyring) Make(string shape) => shape switch
    {
        "sha256" => (_pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now), SampleKeys.SignerPublic),
        "sha512" => (_pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha512, Now), SampleKeys.SignerPublic),
        "sha384-extra-subpackets" => (SignWithBouncyCastle(SampleKeys.SignerSecret, primary: true, HashAlgorithmTag.Sha384, PgpSignature.BinaryDocument, extraSubpackets: true), SampleKeys.SignerPublic),
        "subkey-sha256" => (SignWithBouncyCastle(SampleKeys.SubkeySecret, primary: false, HashAlgorithmTag.Sha256, PgpSignature.BinaryDocument, extraSubpackets: false), SampleKeys.SubkeyPublic),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>Runs both checks on fresh parses; the platform path must have decided (not deferred).</summary>
    private static (bool Fast, bool Managed) CheckBoth(byte[] blob, byte[] keyring, Func<byte[], byte[]> content)
    {
        var (signature, signed) = ReadMessage(blob);
        var key = PublicKeys(keyring).Single(k => k.KeyId == signature.KeyId);
        var fast = RsaSignatureCheck.Verify(signature, key, content(signed));
        Assert.NotNull(fast);

        var (again, signedAgain) = ReadMessage(blob);
        var managed = BouncyCastleOpenPgp.CheckWithBouncyCastle(again, key, content(signedAgain));
        return (fast.Value, managed);
    }

    private static (PgpSignature Signature, byte[] Content) ReadMessage(byte[] blob)
    {
        PgpSignature? signature = null;
        byte[]? content = null;
        var factory = new PgpObjectFactory(blob);
        while (factory.NextPgpObject() is { } item)
        {
            switch (item)
            {
                case PgpSignatureList list:
                    signature = list[0];
                    break;
                case PgpLiteralData literal:
                    using (var buffer = new MemoryStream())
                    {
                        literal.GetInputStream().CopyTo(buffer);
                        content = buffer.ToArray();
                    }

                    break;
            }
        }

        return (signature ?? throw new InvalidDataException("no signature"), content ?? throw new InvalidDataException("no literal data"));
    }

    private static List<PgpPublicKey> PublicKeys(byte[] armored)
    {
        using var input = PgpUtilities.GetDecoderStream(new MemoryStream(armored));
        return new PgpPublicKeyRingBundle(input).GetKeyRings().Cast<PgpPublicKeyRing>()
            .SelectMany(r => r.GetPublicKeys().Cast<PgpPublicKey>()).ToList();
    }

    /// <summary>A signed message made by BouncyCastle's own generator, for shapes U7s's signer never writes.</summary>
    private static byte[] SignWithBouncyCastle(byte[] armoredSecret, bool primary, HashAlgorithmTag hash, int signatureType, bool extraSubpackets)
    {
        using var input = PgpUtilities.GetDecoderStream(new MemoryStream(armoredSecret));
        var ring = new PgpSecretKeyRingBundle(input).GetKeyRings().Cast<PgpSecretKeyRing>().First();
        var secret = ring.GetSecretKeys().Cast<PgpSecretKey>().First(k => k.IsMasterKey == primary);
        var privateKey = secret.ExtractPrivateKey([]);
        var when = Now.AddMinutes(-1).UtcDateTime;

        var generator = new PgpSignatureGenerator(secret.PublicKey.Algorithm, hash);
        generator.InitSign(signatureType, privateKey);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, when);
        if (extraSubpackets)
        {
            hashed.SetSignatureExpirationTime(false, 86400);
            hashed.AddNotationData(false, true, "test@u7s.example", "fast path");
            hashed.SetIssuerKeyID(false, secret.KeyId);
        }

        generator.SetHashedSubpackets(hashed.Generate());
        var unhashed = new PgpSignatureSubpacketGenerator();
        unhashed.SetIssuerKeyID(false, secret.KeyId);
        generator.SetUnhashedSubpackets(unhashed.Generate());

        using var output = new MemoryStream();
        generator.GenerateOnePassVersion(false).Encode(output);
        var literal = new PgpLiteralDataGenerator();
        var format = signatureType == PgpSignature.CanonicalTextDocument ? PgpLiteralData.Text : PgpLiteralData.Binary;
        using (var body = literal.Open(output, format, string.Empty, Payload.Length, when))
        {
            body.Write(Payload);
        }

        generator.Update(Payload);
        generator.Generate().Encode(output);
        return output.ToArray();
    }
}
