using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// The kind of signer key to generate, named as on the command line: <c>rsa2048</c> … <c>rsa8192</c>
/// (a multiple of 8 bits) or <c>ed25519</c>.
/// </summary>
public sealed record KeySpec
{
    public const int MinRsaBits = 2048;

    public const int MaxRsaBits = 8192;

    private KeySpec(KeyAlgorithm algorithm, int bits)
    {
        Algorithm = algorithm;
        Bits = bits;
    }

    /// <summary>Ed25519: 256 bits, deterministic signatures, small keys; some x/crypto/openpgp verifiers reject it (SPEC §2.2).</summary>
    public static KeySpec Ed25519 { get; } = new(KeyAlgorithm.Ed25519, 256);

    /// <summary><c>u7s keys generate</c>'s default: RSA 4096.</summary>
    public static KeySpec Default { get; } = new(KeyAlgorithm.Rsa, 4096);

    public KeyAlgorithm Algorithm { get; }

    public int Bits { get; }

    /// <summary>An RSA key of <paramref name="bits"/>; MUST throw <see cref="ArgumentOutOfRangeException"/> outside 2048-8192 or off a multiple of 8.</summary>
    public static KeySpec Rsa(int bits) =>
        RsaProblem(bits) is { } problem ? throw new ArgumentOutOfRangeException(nameof(bits), bits, problem) : new KeySpec(KeyAlgorithm.Rsa, bits);

    /// <summary>Why <paramref name="bits"/> is not a usable RSA size, or null.</summary>
    public static string? RsaProblem(int bits) =>
        bits is < MinRsaBits or > MaxRsaBits ? $"RSA key size {bits} is not between {MinRsaBits} and {MaxRsaBits}"
        : bits % 8 != 0 ? $"RSA key size {bits} is not a multiple of 8"
        : null;

    /// <summary>Parses <c>rsa&lt;bits&gt;</c> or <c>ed25519</c> (any case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out KeySpec? spec)
    {
        spec = null;
        if (string.Equals(text, "ed25519", StringComparison.OrdinalIgnoreCase))
        {
            spec = Ed25519;
            return true;
        }

        if (text is null || !text.StartsWith("rsa", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            || RsaProblem(bits) is not null)
        {
            return false;
        }

        spec = new KeySpec(KeyAlgorithm.Rsa, bits);
        return true;
    }

    public override string ToString() => Algorithm == KeyAlgorithm.Ed25519 ? "ed25519" : $"rsa{Bits}";
}
