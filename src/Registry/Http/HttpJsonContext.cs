using System.Text.Json.Serialization;

namespace U7s.Registry.Http;

[JsonSerializable(typeof(CatalogResponse))]
[JsonSerializable(typeof(TagListResponse))]
[JsonSerializable(typeof(ReferrersResponse))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
