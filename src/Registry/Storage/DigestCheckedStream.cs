using System.Security.Cryptography;
using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Passes <c>inner</c> through while hashing it and, on the read that reaches <see cref="ExpectedLength"/>,
/// checks length and digest before handing that read's bytes out: a reader never sees a clean end of bytes
/// that do not match <see cref="Expected"/>. The filesystem store takes an upload read from this stream
/// without hashing it a second time (<see cref="IsVerified"/> is its proof): the hash was taken here, in this
/// process, over exactly the bytes the reads returned. That is why the reads are sealed: a subclass may only
/// say how failures are reported, never what is read. Request bodies are plain streams, so the network never
/// reaches that path; nothing from there can claim a check it did not get.
/// </summary>
public class DigestCheckedStream(Stream inner, Digest expected, long expectedLength) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(expected.HashAlgorithm);
    private long _read;
    private Exception? _failure;

    // Bytes read (and hashed) ahead by PeekAsync, returned by the next reads.
    private byte[]? _head;
    private int _headOffset;
    private int _headCount;

    /// <summary>The digest the bytes must have.</summary>
    public Digest Expected => expected;

    /// <summary>How many bytes must go by.</summary>
    public long ExpectedLength => expectedLength;

    /// <summary>True once every byte was read, and length and digest matched.</summary>
    public bool IsVerified { get; private set; }

    public override long Length => expectedLength;

    public override long Position
    {
        get => _read - _headCount;
        set => throw new NotSupportedException();
    }

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override int Read(Span<byte> buffer)
    {
        if (TakeHead(buffer) is var fromHead and > 0)
        {
            return fromHead;
        }

        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (SourceFailure(e) is { } failure)
        {
            _failure ??= failure;
            throw failure;
        }

        return Account(buffer[..n]);
    }

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakeHead(buffer.Span) is var fromHead and > 0)
        {
            return fromHead;
        }

        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (SourceFailure(e) is { } failure)
        {
            _failure ??= failure;
            throw failure;
        }

        return Account(buffer.Span[..n]);
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes ahead (hashed and checked like any read; the whole content,
    /// when it is that short) and returns them; the next reads return them again first. Only before the first read.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        if (_read != 0 || _head is not null)
        {
            throw new InvalidOperationException("peek only before the first read");
        }

        var head = new byte[(int)Math.Min(count, expectedLength)];
        var filled = 0;
        while (filled < head.Length)
        {
            var n = await ReadAsync(head.AsMemory(filled), cancellationToken);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        _head = head;
        _headOffset = 0;
        _headCount = filled;
        return head.AsMemory(0, filled);
    }

    /// <summary>Reads the rest (hashing it) and verifies; for callers that skip the content.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    /// <summary>The exception to throw for a failure of <c>inner</c>; null rethrows it as it is.</summary>
    protected virtual Exception? SourceFailure(Exception exception) => null;

    /// <summary>The exception to throw when the bytes are too many, too few or have another digest.</summary>
    protected virtual Exception ContentFailure(string message) => new InvalidDataException(message);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int TakeHead(Span<byte> buffer)
    {
        if (_headCount == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var n = Math.Min(_headCount, buffer.Length);
        _head.AsSpan(_headOffset, n).CopyTo(buffer);
        _headOffset += n;
        _headCount -= n;
        return n;
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (_failure is not null)
        {
            throw _failure;
        }

        _read += data.Length;
        _hash.AppendData(data);
        if (_read > expectedLength)
        {
            throw Fail($"more than the expected {expectedLength} bytes");
        }

        // Verify on the last byte, before handing it out: a consumer never sees a clean end of a bad blob.
        if (!IsVerified && (_read == expectedLength || data.Length == 0))
        {
            if (_read != expectedLength)
            {
                throw Fail($"{_read} bytes, expected {expectedLength}");
            }

            var actual = Digest.FromHash(expected.Algorithm, _hash.GetHashAndReset());
            if (actual != expected)
            {
                throw Fail($"content has digest {actual}, not {expected}");
            }

            IsVerified = true;
        }

        return data.Length;
    }

    private Exception Fail(string message)
    {
        _failure = ContentFailure(message);
        return _failure;
    }
}
