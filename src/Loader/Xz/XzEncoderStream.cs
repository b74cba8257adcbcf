namespace U7s.Loader.Xz;

/// <summary>
/// A write-only stream that xz-compresses into <c>inner</c> with liblzma's threaded encoder
/// (<c>lzma_stream_encoder_mt</c>), so the output has several blocks like <c>xz -T0</c> and a
/// threaded decoder can use several cores. Call <see cref="FinishAsync"/> to write the end of the
/// stream; disposing without it leaves the output incomplete (the caller discards it).
/// </summary>
internal sealed class XzEncoderStream : Stream
{
    private const int OutputBufferSize = 128 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly LzmaHandle _handle;
    private readonly byte[] _output = new byte[OutputBufferSize];
    private bool _finished;

    public unsafe XzEncoderStream(Stream inner, XzEncoderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new XzEncoderOptions();
        _inner = inner;
        _leaveOpen = leaveOpen;
        _handle = new LzmaHandle();
        var mt = new LzmaMt
        {
            Threads = (uint)(options.Threads > 0 ? options.Threads : Environment.ProcessorCount),
            BlockSize = options.BlockSize,
            Preset = options.Preset,
            Check = LzmaNative.CheckCrc64,
        };
        var ret = LzmaNative.StreamEncoderMt(_handle.Stream, &mt);
        if (ret != LzmaReturn.Ok)
        {
            _handle.Dispose();
            throw new XzException($"cannot start the xz encoder: {LzmaNative.Describe(ret)}");
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_handle.IsClosed && !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            var (consumed, produced, _) = Encode(buffer, LzmaNative.ActionRun);
            buffer = buffer[consumed..];
            _inner.Write(_output, 0, produced);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            var (consumed, produced, _) = Encode(buffer.Span, LzmaNative.ActionRun);
            buffer = buffer[consumed..];
            if (produced > 0)
            {
                await _inner.WriteAsync(_output.AsMemory(0, produced), cancellationToken);
            }
        }
    }

    /// <summary>Flushes the encoder and writes the xz stream footer. Idempotent.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        while (!_finished)
        {
            var (_, produced, end) = Encode([], LzmaNative.ActionFinish);
            if (produced > 0)
            {
                await _inner.WriteAsync(_output.AsMemory(0, produced), cancellationToken);
            }

            _finished = end;
        }

        await _inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        // Compressed output only becomes final at FinishAsync; a flush mid-stream would cut a block.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_finished)
        {
            throw new InvalidOperationException("the xz stream is already finished");
        }
    }

    private unsafe (int Consumed, int Produced, bool End) Encode(ReadOnlySpan<byte> input, int action)
    {
        var s = _handle.Stream;
        LzmaReturn ret;
        int consumed;
        int produced;
        fixed (byte* inp = input)
        fixed (byte* outp = _output)
        {
            s->NextIn = (nint)inp;
            s->AvailIn = (nuint)input.Length;
            s->NextOut = (nint)outp;
            s->AvailOut = (nuint)_output.Length;
            ret = LzmaNative.Code(s, action);
            consumed = input.Length - (int)s->AvailIn;
            produced = _output.Length - (int)s->AvailOut;
            s->NextIn = 0;
            s->NextOut = 0;
            s->AvailIn = 0;
            s->AvailOut = 0;
        }

        return ret switch
        {
            LzmaReturn.Ok => (consumed, produced, false),
            LzmaReturn.StreamEnd => (consumed, produced, true),
            _ => throw new XzException($"xz encoding failed: {LzmaNative.Describe(ret)}"),
        };
    }
}
