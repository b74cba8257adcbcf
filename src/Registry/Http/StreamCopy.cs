using System.IO.Pipelines;

namespace U7s.Registry.Http;

internal static class StreamCopy
{
    /// <summary>Large reads mean few syscalls; the pipe rents a buffer this size, never the whole blob.</summary>
    private const int ChunkSize = 256 * 1024;

    /// <summary>
    /// Up to this many bytes (a manifest, a config) are read on the calling thread: a local file's async read
    /// is the same pread moved to another pool thread, a hop that costs more than the read of a small file.
    /// </summary>
    private const int SmallBytes = 64 * 1024;

    /// <summary>Reads exactly <paramref name="count"/> bytes from <paramref name="source"/> into the pipe's own memory.</summary>
    public static async Task CopyToPipeAsync(Stream source, PipeWriter destination, long count, CancellationToken cancellationToken)
    {
        if (count <= SmallBytes && source is FileStream)
        {
            CopySmall(source, destination, (int)count);
            return;
        }

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

    /// <summary>
    /// In blocks of Kestrel's pool size (4 KiB): memory it hands out up to that size is the pipe's own, so the
    /// read lands where the send reads from; a larger request gets separate memory that Advance copies in.
    /// Nothing is flushed here: the body leaves with the headers when the request ends.
    /// </summary>
    private static void CopySmall(Stream source, PipeWriter destination, int count)
    {
        while (count > 0)
        {
            var span = destination.GetSpan(Math.Min(count, 4096));
            var read = source.Read(span[..Math.Min(span.Length, count)]);
            if (read == 0)
            {
                throw new EndOfStreamException("blob ended before its recorded length");
            }

            destination.Advance(read);
            count -= read;
        }
    }
}
