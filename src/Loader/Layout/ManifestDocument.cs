using System.Text.Json;
using System.Text.Json.Serialization;
using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Layout;

/// <summary>
/// The fields the loader reads from an index.json, image index or image manifest
/// (https://github.com/opencontainers/image-spec/blob/main/manifest.md, image-index.md). Parsed only
/// to find descriptors: the bytes themselves are pushed as they are, never re-serialised.
/// </summary>
internal sealed record ManifestDocument
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("config")]
    public Descriptor? Config { get; init; }

    [JsonPropertyName("layers")]
    public IReadOnlyList<Descriptor>? Layers { get; init; }

    [JsonPropertyName("manifests")]
    public IReadOnlyList<Descriptor>? Manifests { get; init; }

    /// <summary>True for an image index (it lists manifests and has no config).</summary>
    [JsonIgnore]
    public bool IsIndex => Manifests is not null && Config is null;

    /// <exception cref="LoadException">Not JSON or not a manifest-shaped object.</exception>
    public static ManifestDocument Parse(ReadOnlySpan<byte> json, string what, LoadErrorKind kind = LoadErrorKind.InvalidContent)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LayoutJsonContext.Default.ManifestDocument)
                ?? throw new LoadException(kind, $"{what}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new LoadException(kind, $"{what}: invalid JSON ({e.Message})", e);
        }
    }
}
