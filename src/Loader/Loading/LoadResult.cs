namespace U7s.Loader.Loading;

/// <summary>Outcome of a load: the images in index order and how many blobs were sent or already present.</summary>
internal sealed record LoadResult(IReadOnlyList<LoadedImage> Images, string? Signer, int BlobsSent, int BlobsPresent, long ExpandedBytes)
{
    public bool AllVerified => Images.All(i => i.Verification is { Accepted: true });
}
