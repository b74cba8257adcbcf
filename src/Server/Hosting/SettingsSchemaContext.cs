using System.Text.Json.Serialization;
using U7s.Registry;
using U7s.S3;
using U7s.Sigstore;

namespace U7s.Server.Hosting;

/// <summary>
/// Source-generated shape of the options classes, read by <see cref="SettingsCheck"/>: property names
/// and types without reflection, so the check works the same in the Native AOT binary.
/// </summary>
[JsonSerializable(typeof(ServerOptions))]
[JsonSerializable(typeof(RegistryOptions))]
[JsonSerializable(typeof(SigstoreOptions))]
[JsonSerializable(typeof(S3StorageOptions))]
internal sealed partial class SettingsSchemaContext : JsonSerializerContext;
