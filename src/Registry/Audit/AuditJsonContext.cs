using System.Text.Json;
using System.Text.Json.Serialization;
using U7s.Oci;

namespace U7s.Registry.Audit;

[JsonSerializable(typeof(AuditEvent))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
