using System.Text.Json.Serialization;

namespace U7s.Registry.Http;

internal sealed record TagListResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);
