using System.Text;
using Microsoft.Win32.SafeHandles;

namespace U7s.Registry.Storage;

/// <summary>
/// Reads the store's link files (a tag's digest, a manifest's media type: tens of bytes) with one open
/// and one pread on the calling thread. <c>File.ReadAllTextAsync</c> moved each read to another pool
/// thread and allocated a 4 KiB stream buffer and a reader: in a profile of manifest GETs by tag those
/// two reads were half of the server's time.
/// </summary>
internal static class LinkFile
{
    private const int StackBytes = 512;

    /// <summary>The file's text (UTF-8, a byte order mark dropped), or null when it or its directory does not exist.</summary>
    public static string? ReadTextOrNull(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (handle)
        {
            Span<byte> buffer = stackalloc byte[StackBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer[length..], length)) > 0)
            {
                length += read;
            }

            if (length == buffer.Length)
            {
                // Not a link this store wrote; read it whole all the same.
                return Decode(File.ReadAllBytes(path));
            }

            return Decode(buffer[..length]);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
}
