using System.Text.Json.Serialization;
using U7s.Registry.Status;

namespace U7s.Registry.Http;

/// <summary>The JSON of <c>/ui/status.json</c>, which <c>u7s status --registry-url</c> reads.</summary>
[JsonSerializable(typeof(RegistryStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
