using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace U7s.Oci;

/// <summary>
/// A content digest <c>algorithm:encoded</c> as defined by the OCI image spec
/// (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
/// Only sha256 and sha512 are accepted: they are the registered algorithms, and a digest we cannot
/// verify must never reach storage. Parsed once at the edge; the value is always canonical.
/// </summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary>"sha256" or "sha512".</summary>
    public string Algorithm { get; }

    /// <summary>Lower-case hex of the hash, 64 or 128 characters.</summary>
    public string Hex { get; }

    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest)
    {
        digest = default;
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        var expected = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (expected < 0 || hex.Length != expected || !IsLowerHex(hex))
        {
            return false;
        }

        digest = new Digest(algorithm, hex);
        return true;
    }

    public static Digest Parse(string value) =>
        TryParse(value, out var digest) ? digest : throw new FormatException($"invalid digest '{value}'");

    /// <summary>Builds a sha256 digest from raw hash bytes.</summary>
    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) => FromHash("sha256", hash);

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    /// <summary>The sha256 digest of <paramref name="content"/>.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content) => FromSha256Hash(SHA256.HashData(content));

    /// <summary>The hash algorithm this digest uses, for incremental verification.</summary>
    public HashAlgorithmName HashAlgorithm => Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    public bool IsDefault => Hex is null;

    public override string ToString() => $"{Algorithm}:{Hex}";

    private static bool IsLowerHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
