namespace U7s.Oci;

/// <summary>
/// Reads the body of a response from a server that may be hostile, never holding more than a limit: a declared
/// <c>Content-Length</c> over it refuses the body before a byte is read, and an undeclared (chunked) one is read
/// only until it passes the limit. Each client keeps its own message for a body that is too large.
/// </summary>
public static class BoundedBody
{
    private const int ChunkBytes = 81920;

    /// <summary>The whole body when it has at most <paramref name="maxBytes"/> bytes; null when it has more (at most <paramref name="maxBytes"/> + 1 of them read).</summary>
    public static async Task<byte[]?> ReadOrNullAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        var (bytes, more) = await ReadAsync(content, maxBytes, cancellationToken);
        return more ? null : bytes;
    }

    /// <summary>At most the first <paramref name="maxBytes"/> bytes of the body (an error's detail, shown cut rather than refused).</summary>
    public static async Task<byte[]> ReadPrefixAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return (await ReadAsync(content, maxBytes, cancellationToken)).Bytes;
    }

    /// <summary>Up to <paramref name="maxBytes"/> bytes, and whether the body goes on past them (one byte more was read to know).</summary>
    private static async Task<(byte[] Bytes, bool More)> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(ChunkBytes, maxBytes + 1)];
        while (buffer.Length <= maxBytes)
        {
            var want = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
            var read = await stream.ReadAsync(chunk.AsMemory(0, want), cancellationToken);
            if (read == 0)
            {
                return (buffer.ToArray(), false);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.GetBuffer().AsSpan(0, maxBytes).ToArray(), true);
    }
}
