using System.Text.Json;
using U7s.Loader.Loading;

namespace U7s.Loader.Layout;

/// <summary>The <c>oci-layout</c> marker file: <c>{"imageLayoutVersion":"1.0.0"}</c>.</summary>
internal static class OciLayoutFile
{
    public const string Version = "1.0.0";

    public static byte[] Content { get; } = "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray();

    /// <exception cref="LoadException">Not the 1.0.0 marker.</exception>
    public static void Check(ReadOnlySpan<byte> content, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(content.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("imageLayoutVersion", out var v)
                && v.ValueKind == JsonValueKind.String
                && v.GetString() == Version)
            {
                return;
            }
        }
        catch (JsonException e)
        {
            throw new LoadException(LoadErrorKind.InvalidLayout, $"{path}: invalid JSON ({e.Message})", e);
        }

        throw new LoadException(LoadErrorKind.InvalidLayout, $"{path}: imageLayoutVersion is not {Version}");
    }
}
