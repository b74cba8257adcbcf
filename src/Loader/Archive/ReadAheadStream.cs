using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// Reads <c>inner</c> on a thread of its own, up to <c>aheadBytes</c> ahead of the consumer, so that
/// producing the bytes (the xz decoder, one core at full speed) overlaps with consuming them (tar
/// checks, hashing, writing the store or sending them over HTTP). Without it the loader's wall time was
/// the sum of both; with it, the slower of the two. A failure of <c>inner</c> reaches the consumer's
/// next read as the same exception, after the bytes read before it. Memory is bounded by
/// <c>aheadBytes</c> plus one read. Disposing stops the reader and waits for it; <c>inner</c> stays the
/// caller's to dispose after that, and is never touched by two threads at once.
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    private const int ChunkSize = 256 * 1024;

    private readonly Stream _inner;
    private readonly Pipe _pipe;
    private readonly Stream _output;
    private readonly Task _reader;
    private long _position;
    private bool _disposed;

    // The source's failure, kept until the consumer has read every byte before it (a pipe completed with
    // an exception would throw at once and drop what is still buffered).
    private ExceptionDispatchInfo? _failure;

    public ReadAheadStream(Stream inner, long aheadBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(aheadBytes, ChunkSize);
        _inner = inner;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: aheadBytes, resumeWriterThreshold: aheadBytes / 2, minimumSegmentSize: ChunkSize, useSynchronizationContext: false));
        _output = _pipe.Reader.AsStream();

        // A thread of its own: the decoder keeps it busy for the whole archive, and it waits for room synchronously.
        _reader = Task.Factory.StartNew(ReadAll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _output.Read(buffer);
        return Account(n, buffer.IsEmpty);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _output.ReadAsync(buffer, cancellationToken);
        return Account(n, buffer.IsEmpty);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _pipe.Reader.CompleteAsync();
            await _reader;
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _pipe.Reader.Complete();
            _reader.GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private int Account(int read, bool emptyBuffer)
    {
        if (read == 0 && !emptyBuffer)
        {
            // The end of what the source gave: its failure, if it failed, comes now.
            Volatile.Read(ref _failure)?.Throw();
        }

        _position += read;
        return read;
    }

    private void ReadAll()
    {
        var writer = _pipe.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(ChunkSize);
                var read = _inner.Read(memory.Span);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);

                // Waits while the consumer is aheadBytes behind; completed once the consumer has gone.
                var pending = writer.FlushAsync();
                var flush = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                if (flush.IsCompleted)
                {
                    break;
                }
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            Volatile.Write(ref _failure, ExceptionDispatchInfo.Capture(e));
            writer.Complete();
        }
    }
}
