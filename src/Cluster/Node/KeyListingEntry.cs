using System.Text.Json.Serialization;

namespace U7s.Cluster.Node;

/// <summary>One entry of the nginx-style JSON listing of <c>/keys/</c> (SPEC §2.5).</summary>
public sealed record KeyListingEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);
