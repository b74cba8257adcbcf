using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Gc;

/// <summary>
/// Parsed manifests by digest, read once per collection: content never changes under its digest, so a
/// manifest read while marking is still right when the collection re-checks under the lock.
/// </summary>
internal sealed class ManifestCache(IBlobStore blobs)
{
    /// <summary>Manifests larger than the registry's cap cannot have been pushed; reading stops there.</summary>
    private const int MaxManifestBytes = 64 * 1024 * 1024;

    private readonly Dictionary<Digest, ParsedManifest?> _parsed = [];

    /// <summary>The manifest's references; null when its content is gone or unreadable (it then references nothing).</summary>
    public async Task<ParsedManifest?> GetOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!_parsed.TryGetValue(digest, out var manifest))
        {
            manifest = await ReadOrNullAsync(digest, cancellationToken);
            _parsed[digest] = manifest;
        }

        return manifest;
    }

    private async Task<ParsedManifest?> ReadOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadOrNullAsync(digest, cancellationToken);
        if (content is null || content.Length > MaxManifestBytes)
        {
            return null;
        }

        var bytes = new byte[content.Length];
        await content.Stream.ReadExactlyAsync(bytes, cancellationToken);
        try
        {
            return ManifestParser.Parse(bytes, null);
        }
        catch (OciException)
        {
            return null;
        }
    }
}
