using System.Text;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Testing;

namespace U7s.Sigstore.Tests.BadInput;

/// <summary>
/// Seeded, bounded mutations of a valid signature blob through the whole verifier (packet parsing,
/// OpenPGP check, payload parse): a mutated blob may be rejected with a reason, never crash the
/// verifier, and is never accepted unless its payload bytes are untouched.
/// </summary>
public sealed class OpenPgpFuzzTests
{
    private const int Iterations = 1500;
    private static readonly Digest ManifestDigest = Digest.Compute("manifest"u8);

    [Fact]
    public void Verifier_MutatedSignatures_RejectedWithReason_NeverThrow()
    {
        var pgp = new BouncyCastleOpenPgp();
        var now = DateTimeOffset.UtcNow;
        var payload = new SignaturePayload("registry.local/k8s-c10f1/pause:3.9", ManifestDigest, "u7s test", now.ToUnixTimeSeconds()).ToJsonBytes();
        var blob = pgp.Sign(payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, now);
        var trusted = TrustedKeyring.Load(pgp, [SampleKeys.SignerPublic], now);
        var verifier = new SignatureVerifier(pgp, TimeProvider.System);
        Assert.True(verifier.Check(blob, trusted, ManifestDigest, _ => true, default).IsAccepted);

        var random = new Random(7);
        var rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var mutated = Mutate(random, blob);
            var check = verifier.Check(mutated, trusted, ManifestDigest, _ => true, default);
            if (check.IsAccepted)
            {
                // Only changes that leave the signed content intact (e.g. trailing bytes dropped) may pass.
                Assert.True(pgp.Verify(mutated, [SampleKeys.SignerPublic], now, default).Content.AsSpan().SequenceEqual(payload));
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(check.Reason));
                rejected++;
            }
        }

        Assert.True(rejected > Iterations / 2, $"only {rejected} of {Iterations} mutations were rejected");
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = input.ToList();
        var at = random.Next(bytes.Count);
        switch (random.Next(5))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 2:
                bytes.Insert(at, (byte)random.Next(256));
                break;
            case 3:
                bytes.RemoveAt(at);
                break;
            default:
                bytes[at] = (byte)random.Next(256);
                break;
        }

        return [.. bytes];
    }
}
