using U7s.Oci.Policy;

namespace U7s.Loader.Loading;

/// <summary>
/// Outcome of a load: the images in index order, and each blob the images use counted once by
/// what publishing it took (sent, mounted from where the registry already held it, or already
/// present), so identical runs against identical registries report identical numbers.
/// </summary>
internal sealed record LoadResult(
    IReadOnlyList<LoadedImage> Images,
    string? Signer,
    int BlobsSent,
    int BlobsMounted,
    int BlobsPresent,
    long BytesSent,
    long ExpandedBytes)
{
    public bool AllVerified => Images.All(i => i.Verification is { IsAccepted: true });
}
