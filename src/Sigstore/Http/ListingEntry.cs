using System.Text.Json.Serialization;

namespace U7s.Sigstore.Http;

/// <summary>One entry of the nginx <c>autoindex_format json</c> listing that podsec nodes parse.</summary>
internal sealed record ListingEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("mtime")] string Mtime,
    [property: JsonPropertyName("size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Size);
