using System.Text.Encodings.Web;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Sigstore.Signing;

/// <summary>
/// The containers/image "atomic container signature" payload (SPEC §2.1): what an OpenPGP signature
/// in the lookaside store signs. <see cref="DockerReference"/> is kept as the string that was signed
/// (identity matching compares strings); <see cref="ManifestDigest"/> is already validated.
/// </summary>
public sealed record SignaturePayload(string DockerReference, Digest ManifestDigest, string? Creator = null, long? Timestamp = null)
{
    /// <summary>The only accepted value of <c>critical.type</c>.</summary>
    public const string AtomicType = "atomic container signature";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readers parse the payload, so escaping is free; the relaxed encoder keeps '+' and the like
        // readable, as Go's encoder does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>
    /// Compact JSON with keys in sorted order and no trailing newline, byte for byte what
    /// containers/image writes for the same values.
    /// </summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("critical");
            writer.WriteStartObject("identity");
            writer.WriteString("docker-reference", DockerReference);
            writer.WriteEndObject();
            writer.WriteStartObject("image");
            writer.WriteString("docker-manifest-digest", ManifestDigest.ToString());
            writer.WriteEndObject();
            writer.WriteString("type", AtomicType);
            writer.WriteEndObject();
            writer.WriteStartObject("optional");
            if (Creator is not null)
            {
                writer.WriteString("creator", Creator);
            }

            if (Timestamp is { } t)
            {
                writer.WriteNumber("timestamp", t);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
