using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Manifests;

/// <summary>
/// Validates a pushed manifest (OCI image manifest or index, Docker schema2 manifest or list) and
/// extracts what it references. Every problem is <see cref="OciErrorCode.ManifestInvalid"/> with a detail.
/// </summary>
internal static class ManifestParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Parses <paramref name="body"/>; <paramref name="contentType"/> is the request's, without parameters, or null.</summary>
    public static ParsedManifest Parse(ReadOnlyMemory<byte> body, string? contentType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw Invalid($"not valid JSON: {e.Message}");
        }

        using (document)
        {
            try
            {
                return Parse(document.RootElement, contentType);
            }
            catch (InvalidOperationException e)
            {
                // JsonDocument decodes strings lazily: invalid UTF-8 inside a value surfaces only here.
                throw Invalid($"not valid UTF-8 JSON: {e.Message}");
            }
        }
    }

    private static ParsedManifest Parse(JsonElement root, string? contentType)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("a manifest is a JSON object");
        }

        if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 2)
        {
            throw Invalid("schemaVersion must be 2");
        }

        var mediaType = ResolveMediaType(root, contentType);
        ManifestReference? subject = root.TryGetProperty("subject", out var s) ? ParseDescriptor(s, "subject") : null;
        var artifactType = OptionalString(root, "artifactType");
        var annotations = ParseAnnotations(root);
        if (MediaTypes.IsIndex(mediaType))
        {
            var manifests = RequiredArray(root, "manifests").Select((e, i) => ParseDescriptor(e, $"manifests[{i}]")).ToList();
            return new ParsedManifest(mediaType, [], manifests, subject, artifactType, annotations);
        }

        if (!root.TryGetProperty("config", out var config))
        {
            throw Invalid("an image manifest needs a config descriptor");
        }

        var configDescriptor = ParseDescriptor(config, "config");
        var blobs = new List<ManifestReference> { configDescriptor };
        var layersElement = root.TryGetProperty("layers", out var l) ? l : default;
        if (layersElement.ValueKind is not (JsonValueKind.Array or JsonValueKind.Undefined))
        {
            throw Invalid("layers must be an array");
        }

        if (layersElement.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var layer in layersElement.EnumerateArray())
            {
                var descriptor = ParseDescriptor(layer, $"layers[{i++}]");

                // Foreign layers live elsewhere by design; the registry never had them.
                if (!descriptor.MediaType.Contains("foreign", StringComparison.Ordinal) && !descriptor.MediaType.Contains("nondistributable", StringComparison.Ordinal))
                {
                    blobs.Add(descriptor);
                }
            }
        }
        else if (mediaType == MediaTypes.DockerManifest)
        {
            throw Invalid("a schema2 manifest needs a layers array");
        }

        artifactType ??= configDescriptor.MediaType;
        return new ParsedManifest(mediaType, blobs, [], subject, artifactType, annotations);
    }

    private static string ResolveMediaType(JsonElement root, string? contentType)
    {
        var declared = OptionalString(root, "mediaType");
        var header = MediaTypes.IsManifest(contentType) ? contentType : null;
        if (declared is not null && !MediaTypes.IsManifest(declared))
        {
            throw Invalid($"unsupported manifest media type '{declared}'");
        }

        if (declared is not null && header is not null && declared != header)
        {
            throw Invalid($"Content-Type '{header}' does not match the manifest's mediaType '{declared}'");
        }

        if (header is null && contentType is not null && contentType != "application/json" && contentType.Length > 0 && declared is null)
        {
            throw Invalid($"unsupported manifest media type '{contentType}'");
        }

        var mediaType = header ?? declared ?? (root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : root.TryGetProperty("config", out _) ? MediaTypes.OciManifest : null);
        return mediaType ?? throw Invalid("cannot tell the manifest's media type: no Content-Type and no mediaType");
    }

    private static ManifestReference ParseDescriptor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{where} is not a descriptor object");
        }

        var mediaType = OptionalString(element, "mediaType") ?? throw Invalid($"{where} has no mediaType");
        var digestText = OptionalString(element, "digest");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw Invalid($"{where} has an invalid digest '{digestText}'");
        }

        if (!element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var length) || length < 0)
        {
            throw Invalid($"{where} has no valid size");
        }

        return new ManifestReference(mediaType, digest, length);
    }

    private static JsonElement.ArrayEnumerator RequiredArray(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw Invalid($"{name} must be an array");

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"{name} must be a string");
    }

    private static Dictionary<string, string>? ParseAnnotations(JsonElement root)
    {
        if (!root.TryGetProperty("annotations", out var annotations) || annotations.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (annotations.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("annotations must be an object");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in annotations.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Invalid("annotation values must be strings");
        }

        return result;
    }

    private static OciException Invalid(string detail) => new(OciErrorCode.ManifestInvalid, detail);
}
