using System.Collections.Concurrent;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Manifests;

/// <summary>
/// <see cref="ManifestSummary"/> by digest. A digest names its bytes for good, so a summary never goes
/// stale and is kept (up to a bound) once read: the status page and the enforcement's index lookup
/// read each manifest once.
/// </summary>
internal sealed class ManifestSummaries(IBlobStore blobs, RegistryOptions options)
{
    private const int MaxCached = 200_000;

    private readonly ConcurrentDictionary<Digest, ManifestSummary> _cache = new();

    /// <summary>The summary of the stored manifest <paramref name="digest"/> of media type <paramref name="mediaType"/>; null when its bytes are gone or unreadable.</summary>
    public async ValueTask<ManifestSummary?> GetOrNullAsync(Digest digest, string mediaType, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(digest, out var cached))
        {
            return cached;
        }

        var parsed = await ReadOrNullAsync(digest, mediaType, cancellationToken);
        if (parsed is null)
        {
            return null;
        }

        var (manifest, length) = parsed.Value;
        var total = length + manifest.Blobs.Sum(b => b.Size);
        foreach (var child in manifest.Manifests)
        {
            // An index's children are stored beside it (the push checked); a missing one counts its descriptor's size.
            total += (await GetOrNullAsync(child.Digest, child.MediaType, cancellationToken))?.TotalBytes ?? child.Size;
        }

        var summary = new ManifestSummary(manifest.MediaType, length, total, manifest.Manifests.Select(m => m.Digest).ToList());
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[digest] = summary;
        return summary;
    }

    private async Task<(ParsedManifest Manifest, long Length)?> ReadOrNullAsync(Digest digest, string mediaType, CancellationToken cancellationToken)
    {
        var content = await blobs.OpenReadOrNullAsync(digest, cancellationToken);
        if (content is null)
        {
            return null;
        }

        await using (content)
        {
            if (content.Length > options.MaxManifestBytes)
            {
                return null;
            }

            var bytes = new byte[content.Length];
            await content.Stream.ReadExactlyAsync(bytes, cancellationToken);
            try
            {
                return (ManifestParser.Parse(bytes, MediaTypes.IsManifest(mediaType) ? mediaType : null), bytes.Length);
            }
            catch (OciException)
            {
                // Stored manifests were valid when pushed; an unreadable one summarises as nothing.
                return null;
            }
        }
    }
}
