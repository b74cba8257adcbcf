using System.Text.Json.Serialization;

namespace U7s.S3.Registry;

/// <summary>Source-generated JSON for the registry's own small objects in the bucket.</summary>
[JsonSerializable(typeof(S3UploadState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class S3RegistryJsonContext : JsonSerializerContext;
