using System.Security.Cryptography;
using U7s.Oci;

namespace U7s.Testing;

/// <summary>
/// A non-seekable stream of <paramref name="length"/> pseudo-random bytes, hashed as it is read, so a test
/// can push gigabytes without holding them anywhere.
/// </summary>
public sealed class GeneratedStream(long length, int seed) : ForwardReadStream
{
    private readonly Random _random = new(seed);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private Digest? _final;

    /// <summary>The digest of everything read; valid once the stream is exhausted.</summary>
    public Digest Digest => _final ?? Digest.FromSha256Hash(_hash.GetCurrentHash());

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        if (n <= 0)
        {
            return 0;
        }

        _random.NextBytes(buffer[..n]);
        _hash.AppendData(buffer[..n]);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    protected override void Dispose(bool disposing)
    {
        if (disposing && _final is null)
        {
            // HTTP content disposes its stream after sending; the digest stays readable.
            _final = Digest.FromSha256Hash(_hash.GetCurrentHash());
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
