using System.Text.Json.Serialization;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>The image index the referrers API answers with (distribution spec, "Listing Referrers").</summary>
internal sealed record ReferrersResponse(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("manifests")] IReadOnlyList<Descriptor> Manifests);
