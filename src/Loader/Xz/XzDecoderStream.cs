using U7s.Oci;

namespace U7s.Loader.Xz;

/// <summary>
/// A read-only, forward-only stream that decodes xz data (several blocks or concatenated streams)
/// from <c>inner</c> through the system's liblzma. The threaded decoder is used when the library
/// has it (xz 5.4+); it only helps on multi-block files. Any decode failure, including input that
/// ends before the xz stream does, throws <see cref="XzException"/>.
/// </summary>
internal sealed class XzDecoderStream : ForwardReadStream
{
    private const int InputBufferSize = 128 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly LzmaHandle _handle;
    private readonly byte[] _input = new byte[InputBufferSize];
    private int _inputOffset;
    private int _inputCount;
    private bool _innerEnded;
    private bool _finished;
    private long _position;

    public unsafe XzDecoderStream(Stream inner, XzDecoderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new XzDecoderOptions();
        _inner = inner;
        _leaveOpen = leaveOpen;
        _handle = new LzmaHandle();
        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var mt = new LzmaMt
        {
            Flags = LzmaNative.Concatenated,
            Threads = (uint)threads,
            MemlimitThreading = Math.Min(options.ThreadingMemoryLimit, options.MemoryLimit),
            MemlimitStop = options.MemoryLimit,
        };
        LzmaReturn ret;
        try
        {
            ret = LzmaNative.StreamDecoderMt(_handle.Stream, &mt);
        }
        catch (EntryPointNotFoundException)
        {
            // liblzma before 5.4 has no threaded decoder.
            ret = LzmaReturn.OptionsError;
        }

        if (ret != LzmaReturn.Ok)
        {
            ret = LzmaNative.StreamDecoder(_handle.Stream, options.MemoryLimit, LzmaNative.Concatenated);
        }

        if (ret != LzmaReturn.Ok)
        {
            _handle.Dispose();
            throw new XzException($"cannot start the xz decoder: {LzmaNative.Describe(ret)}");
        }
    }

    public override bool CanRead => !_handle.IsClosed;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_finished || buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_inputCount == 0 && !_innerEnded)
            {
                Refilled(_inner.Read(_input, 0, _input.Length));
            }

            var produced = Decode(buffer);
            if (produced > 0 || _finished)
            {
                return produced;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_finished || buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_inputCount == 0 && !_innerEnded)
            {
                Refilled(await _inner.ReadAsync(_input, cancellationToken));
            }

            var produced = Decode(buffer.Span);
            if (produced > 0 || _finished)
            {
                return produced;
            }
        }
    }

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

    private void Refilled(int read)
    {
        if (read == 0)
        {
            _innerEnded = true;
        }
        else
        {
            _inputOffset = 0;
            _inputCount = read;
        }
    }

    /// <summary>
    /// One <c>lzma_code</c> call. Both buffers are pinned only for the call: liblzma copies what it
    /// needs and never keeps <c>next_in</c>/<c>next_out</c> between calls.
    /// </summary>
    private unsafe int Decode(Span<byte> output)
    {
        var s = _handle.Stream;
        LzmaReturn ret;
        int produced;
        fixed (byte* inp = _input)
        fixed (byte* outp = output)
        {
            s->NextIn = (nint)(inp + _inputOffset);
            s->AvailIn = (nuint)_inputCount;
            s->NextOut = (nint)outp;
            s->AvailOut = (nuint)output.Length;
            ret = LzmaNative.Code(s, _innerEnded ? LzmaNative.ActionFinish : LzmaNative.ActionRun);
            var consumed = _inputCount - (int)s->AvailIn;
            _inputOffset += consumed;
            _inputCount -= consumed;
            produced = output.Length - (int)s->AvailOut;
            s->NextIn = 0;
            s->NextOut = 0;
            s->AvailIn = 0;
            s->AvailOut = 0;
        }

        _position += produced;
        switch (ret)
        {
            case LzmaReturn.Ok:
                return produced;
            case LzmaReturn.StreamEnd:
                _finished = true;
                return produced;
            case LzmaReturn.BufError when !_innerEnded:
                // No progress possible with the current buffers; more input follows.
                return produced;
            default:
                throw new XzException(LzmaNative.Describe(ret));
        }
    }
}
