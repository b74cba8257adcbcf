using System.Text.Json.Serialization;

namespace U7s.Loader.Layout;

/// <summary>Source-generated JSON for the layout documents the loader reads (no reflection, so the AOT build can read them).</summary>
[JsonSerializable(typeof(ManifestDocument))]
[JsonSourceGenerationOptions(AllowTrailingCommas = false)]
internal sealed partial class LayoutJsonContext : JsonSerializerContext;
