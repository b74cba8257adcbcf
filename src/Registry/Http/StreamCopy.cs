using System.IO.Pipelines;

namespace U7s.Registry.Http;

internal static class StreamCopy
{
    /// <summary>Large reads mean few syscalls; the pipe rents a buffer this size, never the whole blob.</summary>
    private const int ChunkSize = 256 * 1024;

    /// <summary>Reads exactly <paramref name="count"/> bytes from <paramref name="source"/> into the pipe's own memory.</summary>
    public static async Task CopyToPipeAsync(Stream source, PipeWriter destination, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var memory = destination.GetMemory((int)Math.Min(count, ChunkSize));
            var read = await source.ReadAsync(memory[..(int)Math.Min(memory.Length, count)], cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("blob ended before its recorded length");
            }

            destination.Advance(read);
            count -= read;
            var flush = await destination.FlushAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }
}
