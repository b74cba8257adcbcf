using Microsoft.AspNetCore.Http;
using U7s.Oci;

namespace U7s.Registry.Http;

internal static class RequestBody
{
    /// <summary>
    /// Reads a small body (a manifest) whole, refusing with 413 past <paramref name="limit"/> bytes
    /// before reading more than that, whatever Content-Length claims.
    /// </summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new OciException(OciErrorCode.ManifestTooLarge, $"body is {request.ContentLength} bytes; the limit is {limit}");
        }

        var initial = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit + 1L);
        using var buffer = new MemoryStream(initial);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new OciException(OciErrorCode.ManifestTooLarge, $"body exceeds the limit of {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
