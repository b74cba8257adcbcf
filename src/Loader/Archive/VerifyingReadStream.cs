using System.Security.Cryptography;
using U7s.Loader.Loading;
using U7s.Loader.Xz;
using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// Passes <c>inner</c> through while hashing it and, at the end, throws unless exactly
/// <c>expectedLength</c> bytes with <c>expected</c> digest went by. A consumer (an HTTP upload,
/// a temp file) therefore never sees a clean end of an unverified blob. The first failure, its own
/// or the archive's (truncated or corrupt xz, a limit of <see cref="TarGuardStream"/>), is kept in
/// <see cref="Failure"/> for callers that only see it wrapped: an HTTP upload reports any read error
/// of its body as "Error while copying content to a stream".
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, Digest expected, long expectedLength, string what) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(expected.HashAlgorithm);
    private long _read;
    private bool _verified;

    public LoadException? Failure { get; private set; }

    public override long Length => expectedLength;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (SourceFailure(e) is { } failure)
        {
            throw failure;
        }

        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (SourceFailure(e) is { } failure)
        {
            throw failure;
        }

        return Account(buffer.Span[..n]);
    }

    /// <summary>Reads the rest (hashing it) and verifies; for callers that skip the content.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        _read += data.Length;
        _hash.AppendData(data);
        if (_read > expectedLength)
        {
            throw Fail($"{what}: more than the expected {expectedLength} bytes");
        }

        // Verify on the last byte, before handing it out: a consumer never sees a clean end of a bad blob.
        if (!_verified && (_read == expectedLength || data.Length == 0))
        {
            if (_read != expectedLength)
            {
                throw Fail($"{what}: {_read} bytes, expected {expectedLength}");
            }

            var actual = Digest.FromHash(expected.Algorithm, _hash.GetHashAndReset());
            if (actual != expected)
            {
                throw Fail($"{what}: content has digest {actual}, not {expected}");
            }

            _verified = true;
        }

        return data.Length;
    }

    /// <summary>The archive's own read errors as the load errors the reader would report for them.</summary>
    private LoadException? SourceFailure(Exception e)
    {
        Failure ??= e switch
        {
            LoadException load => load,
            XzException xz => new LoadException(LoadErrorKind.UnsafeArchive, $"cannot decode the archive: {xz.Message}", xz),
            EndOfStreamException end => new LoadException(LoadErrorKind.UnsafeArchive, $"the archive ends inside '{what}'", end),
            _ => null,
        };
        return Failure;
    }

    private LoadException Fail(string message)
    {
        Failure = new LoadException(LoadErrorKind.InvalidContent, message);
        return Failure;
    }
}
