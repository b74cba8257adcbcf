using System.Net;
using System.Security.Cryptography;

namespace U7s.Bench;

/// <summary>
/// The blobs of the push and pull workloads: one random buffer, each blob made distinct by an 8-byte
/// prefix, so the client sends gigabytes from one allocation and never becomes the bottleneck.
/// </summary>
internal sealed class BlobSet
{
    private readonly byte[] _body;
    private readonly int _offset;

    public BlobSet(int count, int size, int round)
    {
        _body = RandomNumberGenerator.GetBytes(size);
        _offset = round * 1000;
        Digests = new string[count];
        for (var i = 0; i < count; i++)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(Prefix(_offset + i));
            hash.AppendData(_body, 8, size - 8);
            Digests[i] = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    public string[] Digests { get; }

    public int Size => _body.Length;

    public HttpContent Content(int index) => new BlobContent(Prefix(_offset + index), _body);

    private static byte[] Prefix(int index) => BitConverter.GetBytes((long)index + 1);

    private sealed class BlobContent(byte[] prefix, byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(prefix);
            await stream.WriteAsync(body.AsMemory(8));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
