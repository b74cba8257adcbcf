using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// What one append must satisfy. The store checks it under the upload's own serialisation, so of two
/// concurrent appends for the same range only one can pass, and a failed check changes nothing.
/// </summary>
/// <param name="Start">Where the chunk starts (its Content-Range); null when the client did not say.</param>
/// <param name="Length">How many bytes the source must yield, exactly; null when the client did not say.</param>
/// <param name="MaxTotal">The largest the whole upload may grow; null for no limit.</param>
public readonly record struct UploadChunk(long? Start = null, long? Length = null, long? MaxTotal = null)
{
    /// <summary>No range, no declared length, no limit.</summary>
    public static UploadChunk Unbounded => default;

    /// <summary>Fails unless the chunk starts at <paramref name="length"/>, the upload's current length.</summary>
    internal void CheckStart(long length)
    {
        if (Start is { } start && start != length)
        {
            throw new OciException(OciErrorCode.RangeInvalid, $"chunk starts at {start}; the upload has {length} bytes");
        }
    }

    /// <summary>Fails as soon as the chunk grows past its declared length or the upload past its limit.</summary>
    internal void CheckGrowth(long start, long total)
    {
        if (Length is { } length && total - start > length)
        {
            throw new OciException(OciErrorCode.SizeInvalid, $"the chunk is longer than the {length} bytes declared for it");
        }

        if (MaxTotal is { } max && total > max)
        {
            throw new OciException(OciErrorCode.SizeInvalid, $"upload exceeds the limit of {max} bytes");
        }
    }

    /// <summary>Fails when the chunk came out shorter than declared.</summary>
    internal void CheckReceived(long received)
    {
        if (Length is { } length && received != length)
        {
            throw new OciException(OciErrorCode.SizeInvalid, $"received {received} bytes, expected {length}");
        }
    }
}
