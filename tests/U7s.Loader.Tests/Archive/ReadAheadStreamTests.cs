using System.Security.Cryptography;
using U7s.Loader.Archive;
using U7s.Loader.Xz;

namespace U7s.Loader.Tests.Archive;

/// <summary>
/// The decoder's read-ahead: the same bytes in the same order whatever the read sizes, the source's
/// failure after the bytes before it, memory bounded by the read-ahead, and a dispose that stops the
/// reader before anyone else touches the source.
/// </summary>
public sealed class ReadAheadStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4093)]
    [InlineData(1 << 20)]
    public async Task Read_AnySize_YieldsTheSourceBytesInOrder(int readSize)
    {
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        await using var ahead = new ReadAheadStream(new MemoryStream(data), 512 * 1024);

        var copy = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = readSize % 2 == 0 ? await ahead.ReadAsync(buffer) : ahead.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, n);
        }

        Assert.Equal(data, copy.ToArray());
        Assert.Equal(data.Length, ahead.Position);
    }

    [Fact]
    public async Task Read_SourceFails_GivesTheBytesBeforeThenTheSameException()
    {
        var data = RandomNumberGenerator.GetBytes(700_000);
        await using var ahead = new ReadAheadStream(new FailingStream(data, new XzException("compressed data is corrupt")), 256 * 1024);

        var copy = new MemoryStream();
        var e = await Assert.ThrowsAsync<XzException>(() => ahead.CopyToAsync(copy));
        Assert.Equal("compressed data is corrupt", e.Message);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Dispose_ConsumerStopsEarly_StopsTheReaderWithinTheBound()
    {
        var source = new CountingStream(1L << 30);
        var ahead = new ReadAheadStream(source, 1 << 20);
        var first = new byte[1000];
        await ahead.ReadExactlyAsync(first);

        // The reader fills at most the read-ahead plus one chunk, then waits.
        await Task.Delay(200);
        Assert.InRange(source.BytesRead, 1000, (1 << 20) + (512 * 1024));

        await ahead.DisposeAsync();
        var atDispose = source.BytesRead;
        Assert.False(source.ReadAfterStop(atDispose));
    }

    /// <summary>Gives <c>data</c>, then throws <c>failure</c>.</summary>
    private sealed class FailingStream(byte[] data, Exception failure) : Stream
    {
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _offset; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset == data.Length)
            {
                throw failure;
            }

            var n = Math.Min(count, Math.Min(data.Length - _offset, 100_000));
            Array.Copy(data, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An endless source of zeros that counts what was read of it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        /// <summary>True when anything was read past <paramref name="count"/> within 200 ms.</summary>
        public bool ReadAfterStop(long count)
        {
            Thread.Sleep(200);
            return BytesRead != count;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - BytesRead);
            Array.Clear(buffer, offset, n);
            Interlocked.Add(ref _read, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
