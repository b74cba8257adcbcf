using System.Text.Json.Serialization;
using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>Source-generated JSON for what the registry writes itself (never for manifests, which are kept as received).</summary>
[JsonSerializable(typeof(Descriptor))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
