namespace U7s.Loader.Generator;

/// <summary>What the generator wrote: the images in index order and the bytes of all unique blobs.</summary>
internal sealed record GeneratedArchive(string Path, string Architecture, IReadOnlyList<GeneratedImage> Images, long BlobBytes);
