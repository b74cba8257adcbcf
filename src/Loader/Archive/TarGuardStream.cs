using System.Globalization;
using System.Text;
using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// Sits between the xz decoder and <see cref="System.Formats.Tar.TarReader"/> and refuses what would
/// make the reader or the loader spend unbounded memory or disk, before the reader sees it:
/// <list type="bullet">
/// <item>more decompressed bytes in total than the expansion limit (headers, data, padding, trailer);</item>
/// <item>a metadata entry (GNU long name or long link, PAX extended or global header) larger than
/// <see cref="MaxMetadataBytes"/>: TarReader reads such an entry whole into memory, so a 1 GiB long
/// name would otherwise be allocated from a 150 KB archive.</item>
/// </list>
/// It follows the tar structure the way TarReader does (512-byte headers, data padded to 512, a PAX
/// <c>size</c> record overriding the next header's size, the first all-zero block ending the
/// archive) and refuses sequences TarReader would read differently, so the two never disagree
/// about where a header starts. A header is checked when its last byte arrives, before the read
/// that completes it returns.
/// </summary>
internal sealed class TarGuardStream(Stream inner, long maxExpandedBytes) : ForwardReadStream
{
    /// <summary>Largest GNU long name/link or PAX header accepted: paths are at most 4 KiB, so 64 KiB leaves room for any real one.</summary>
    public const int MaxMetadataBytes = 64 * 1024;

    private const int BlockSize = 512;
    private const int SizeOffset = 124;
    private const int SizeLength = 12;
    private const int TypeOffset = 156;

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _total;
    private long _remaining;
    private byte[]? _pax;
    private int _paxFill;
    private long? _pendingSize;
    private byte _previousMetadata;
    private bool _ended;

    /// <summary>Decompressed bytes that went through so far.</summary>
    public long BytesRead => _total;

    public override long Position
    {
        get => _total;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Inspect(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Inspect(buffer.Span[..n]);
        return n;
    }

    /// <summary>The error for an archive past the expansion limit, shared with the per-entry check.</summary>
    public static LoadException TooLarge(long maxExpandedBytes, string? at) =>
        new(LoadErrorKind.UnsafeArchive, $"the archive expands to more than the limit of {ByteSize.Format(maxExpandedBytes)}{(at is null ? string.Empty : $" (at '{at}')")}; raise --max-expanded-size if the archive is trusted");

    private void Inspect(ReadOnlySpan<byte> data)
    {
        _total += data.Length;
        if (_total > maxExpandedBytes)
        {
            throw TooLarge(maxExpandedBytes, null);
        }

        while (data.Length > 0 && !_ended)
        {
            if (_remaining > 0)
            {
                var take = (int)Math.Min(_remaining, data.Length);
                if (_pax is not null)
                {
                    var copy = Math.Min(take, _pax.Length - _paxFill);
                    data[..copy].CopyTo(_pax.AsSpan(_paxFill));
                    _paxFill += copy;
                    if (_paxFill == _pax.Length)
                    {
                        // Parsed as soon as complete, before the read that completes it returns.
                        _pendingSize = PaxSize(_pax);
                        _pax = null;
                    }
                }

                _remaining -= take;
                data = data[take..];

                continue;
            }

            var part = Math.Min(BlockSize - _headerFill, data.Length);
            data[..part].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += part;
            data = data[part..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (!_header.AsSpan().ContainsAnyExcept((byte)0))
        {
            // TarReader stops at the first empty block; what follows is the trailer, only counted.
            _ended = true;
            return;
        }

        var type = _header[TypeOffset];
        var size = HeaderSize(_header.AsSpan(SizeOffset, SizeLength));
        var metadata = type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K';
        if (_previousMetadata == (byte)'x' && metadata
            || _previousMetadata is (byte)'L' or (byte)'K' && (type is (byte)'x' or (byte)'g' || type == _previousMetadata))
        {
            throw Unreadable($"a {Describe(type)} directly after a {Describe(_previousMetadata)}");
        }

        if (metadata)
        {
            if (size > MaxMetadataBytes)
            {
                throw new LoadException(
                    LoadErrorKind.UnsafeArchive,
                    $"refusing a tar {Describe(type)} of {ByteSize.Format(size)} (at most {ByteSize.Format(MaxMetadataBytes)} of tar metadata per entry)");
            }

            _previousMetadata = type == (byte)'g' ? (byte)0 : type;
            if (type == (byte)'x')
            {
                _pax = new byte[size];
                _paxFill = 0;
                if (size == 0)
                {
                    _pendingSize = null;
                    _pax = null;
                }
            }

            _remaining = Padded(size);
            return;
        }

        _previousMetadata = 0;
        _remaining = Padded(_pendingSize ?? size);
        _pendingSize = null;
    }

    /// <summary>The ustar size field: octal digits (NUL or space padded) or GNU base-256 (high bit set).</summary>
    private static long HeaderSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            if (field[0] != 0x80 || field[1..4].ContainsAnyExcept((byte)0))
            {
                throw Unreadable("a negative or oversized base-256 size field");
            }

            long value = 0;
            foreach (var b in field[4..])
            {
                value = (value << 8) | b;
            }

            return value >= 0 ? value : throw Unreadable("a negative base-256 size field");
        }

        var text = field.Trim(" \0"u8);
        long size = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'7' || size > long.MaxValue >> 3)
            {
                throw Unreadable("a header whose size field is not an octal number");
            }

            size = (size << 3) + (b - '0');
        }

        return size;
    }

    /// <summary>
    /// The <c>size</c> record of a PAX extended header, or null. Records are <c>"LEN key=value\n"</c>;
    /// anything malformed is refused rather than guessed, so the data length here is the one TarReader uses.
    /// </summary>
    private static long? PaxSize(ReadOnlySpan<byte> pax)
    {
        long? size = null;
        while (pax.Length > 0)
        {
            var space = pax.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(pax[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 2 || length > pax.Length || pax[length - 1] != (byte)'\n')
            {
                throw Unreadable("a malformed PAX extended header");
            }

            var record = pax[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Unreadable("a malformed PAX extended header");
            }

            if (record[..equals].SequenceEqual("size"u8))
            {
                var value = record[(equals + 1)..];
                if (size is not null)
                {
                    throw Unreadable("a PAX extended header with two size records");
                }

                if (value.Length == 0 || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                {
                    throw Unreadable($"a PAX size record '{Encoding.ASCII.GetString(value)}' that is not one decimal number");
                }

                size = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }

            pax = pax[length..];
        }

        return size;
    }

    private static long Padded(long size) => size + (BlockSize - (size % BlockSize)) % BlockSize;

    private static string Describe(byte type) => type switch
    {
        (byte)'L' => "GNU long name",
        (byte)'K' => "GNU long link name",
        (byte)'x' => "PAX extended header",
        (byte)'g' => "PAX global header",
        _ => $"entry of type '{(char)type}'",
    };

    private static LoadException Unreadable(string what) =>
        new(LoadErrorKind.UnsafeArchive, $"cannot read the archive as tar: it holds {what}");
}
