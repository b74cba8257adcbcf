using System.Net;

namespace U7s.Loader.Registry;

/// <summary>
/// A request body read forward-only from a stream the caller owns, with a known length. Unlike
/// <see cref="StreamContent"/> it never disposes the stream, so the caller can still check it
/// (a verifying stream reports digest mismatches after the copy).
/// </summary>
internal sealed class BlobUploadContent(Stream content, long declaredLength) : HttpContent
{
    private const int BufferSize = 128 * 1024;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long sent = 0;
        int n;
        while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sent += n;
            if (sent > declaredLength)
            {
                throw new IOException($"blob content is longer than the declared {declaredLength} bytes");
            }

            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }

        if (sent != declaredLength)
        {
            throw new IOException($"blob content ended after {sent} of {declaredLength} bytes");
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = declaredLength;
        return true;
    }
}
