using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>Stores a blob through <see cref="IImageSink.MountOrBeginBlobAsync"/> in one call.</summary>
internal static class ImageSinkExtensions
{
    /// <summary>
    /// Mounts the blob when the sink already holds it (without reading <paramref name="content"/>)
    /// and returns false; otherwise sends <paramref name="content"/> and returns true.
    /// </summary>
    public static async Task<bool> PutBlobAsync(this IImageSink sink, RepositoryName repository, Digest digest, long size, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        await using var upload = await sink.MountOrBeginBlobAsync(repository, digest, null, cancellationToken);
        if (upload is null)
        {
            return false;
        }

        await upload.CompleteAsync(size, content, cancellationToken);
        return true;
    }
}
