namespace U7s.Loader.Saving;

/// <summary>
/// The archives written and the images in each; what was downloaded (blobs, bytes) and how many blobs an earlier,
/// interrupted run had already downloaded.
/// </summary>
internal sealed record SaveResult(IReadOnlyList<string> Files, IReadOnlyList<SavedImage> Images, int BlobsDownloaded = 0, long BytesDownloaded = 0, int BlobsReused = 0);
