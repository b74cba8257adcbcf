using System.Security.Cryptography;
using System.Text;

namespace U7s.Loader.Tests.Support;

/// <summary>Seeded, compressible test content and hashing helpers.</summary>
internal static class TestData
{
    private static readonly string[] Words =
        ["kube", "apiserver", "etcd", "pause", "coredns", "flannel", "layer", "blob", "digest", "registry", "local", "signed", "0", "1", "2", "\n"];

    public static byte[] Compressible(int seed, int size)
    {
        var random = new Random(seed);
        var sb = new StringBuilder(size + 16);
        while (sb.Length < size)
        {
            sb.Append(Words[random.Next(Words.Length)]).Append(random.Next(1000)).Append(' ');
        }

        return Encoding.ASCII.GetBytes(sb.ToString(0, size));
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task<string> Sha256Async(Stream stream)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[65536];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
