using System.Text.Json;
using U7s.Oci;

namespace U7s.Sigstore.Manifests;

/// <summary>The per-platform manifests an image index (OCI index or Docker manifest list) lists.</summary>
public static class IndexInstances
{
    /// <summary>
    /// The digests of <c>manifests[].digest</c> when <paramref name="manifest"/> is an index (by media
    /// type, or by a <c>manifests</c> array when the type is missing); empty for an image manifest.
    /// Pulls verify each platform's manifest at its own digest, so every instance is signed (SPEC §2.7).
    /// </summary>
    public static IReadOnlyList<Digest> Of(FetchedManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.MediaType is not null && !MediaTypes.IsIndex(manifest.MediaType) && MediaTypes.IsManifest(manifest.MediaType))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(manifest.Content);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("manifests", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var digests = new List<Digest>();
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("digest", out var d) && Digest.TryParse(d.GetString(), out var digest))
                {
                    digests.Add(digest);
                }
                else
                {
                    throw new ManifestSourceException("index entry without a valid digest");
                }
            }

            return digests;
        }
        catch (JsonException e)
        {
            throw new ManifestSourceException("the manifest is not valid JSON: " + e.Message, e);
        }
    }
}
