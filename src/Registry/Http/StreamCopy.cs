using System.Buffers;

namespace U7s.Registry.Http;

internal static class StreamCopy
{
    private const int BufferSize = 256 * 1024;

    /// <summary>Copies exactly <paramref name="count"/> bytes through one pooled buffer; never the whole blob in memory.</summary>
    public static async Task CopyAsync(Stream source, Stream destination, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (count > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, BufferSize)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException("blob ended before its recorded length");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
