namespace U7s.Loader.Loading;

/// <summary>A blob upload begun by <see cref="IImageSink.MountOrBeginBlobAsync"/>; disposing it without completing cancels it.</summary>
internal interface ISinkUpload : IAsyncDisposable
{
    /// <summary>
    /// Sends the blob read from <paramref name="content"/> (read once, forward only, to its end).
    /// MUST verify size and digest and MUST NOT make the blob visible unless both match; a read
    /// error of <paramref name="content"/> aborts the upload.
    /// </summary>
    Task CompleteAsync(long size, Stream content, CancellationToken cancellationToken);
}
