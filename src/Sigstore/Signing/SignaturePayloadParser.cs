using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Sigstore.Signing;

/// <summary>
/// The strict reader of SPEC §2.1, the rules of containers/image's <c>untrustedSignature</c>:
/// top level exactly <c>{critical, optional}</c>; <c>critical</c> exactly <c>{type, image, identity}</c>;
/// <c>image</c> and <c>identity</c> exactly their one member; duplicate keys rejected anywhere; known
/// <c>optional</c> members type-checked, unknown ones ignored; <c>timestamp</c> any integral number.
/// </summary>
public static class SignaturePayloadParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Parses <paramref name="json"/>; on failure <paramref name="error"/> says why. Never throws:
    /// the bytes are whatever a trusted key happened to sign.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, [NotNullWhen(true)] out SignaturePayload? payload, [NotNullWhen(false)] out string? error)
    {
        payload = null;
        if (json.StartsWith(Utf8Bom))
        {
            // .NET would skip it; Go's decoder (containers/image) refuses it as an invalid character.
            error = "invalid signature payload JSON: byte-order mark before the document";
            return false;
        }

        JsonDocument document;
        try
        {
            // Go's decoder takes invalid UTF-8 inside strings as U+FFFD (and fails on it elsewhere), where
            // .NET would throw when a member name or value is read: decode the same way first.
            document = Utf8.IsValid(json)
                ? JsonDocument.Parse(json.ToArray(), DocumentOptions)
                : JsonDocument.Parse(Encoding.UTF8.GetString(json), DocumentOptions);
        }
        catch (JsonException e)
        {
            error = $"invalid signature payload JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            error = FindDuplicateKey(document.RootElement);
            if (error is not null)
            {
                return false;
            }

            return TryRead(document.RootElement, out payload, out error);
        }
    }

    private static bool TryRead(JsonElement root, [NotNullWhen(true)] out SignaturePayload? payload, [NotNullWhen(false)] out string? error)
    {
        payload = null;
        if (!TryExactMembers(root, "signature", ["critical", "optional"], out error))
        {
            return false;
        }

        var critical = root.GetProperty("critical");
        if (!TryExactMembers(critical, "critical", ["type", "image", "identity"], out error))
        {
            return false;
        }

        if (critical.GetProperty("type") is not { ValueKind: JsonValueKind.String } type || type.GetString() != SignaturePayload.AtomicType)
        {
            error = $"unrecognized signature type, expected \"{SignaturePayload.AtomicType}\"";
            return false;
        }

        var image = critical.GetProperty("image");
        if (!TryExactMembers(image, "critical.image", ["docker-manifest-digest"], out error))
        {
            return false;
        }

        if (image.GetProperty("docker-manifest-digest") is not { ValueKind: JsonValueKind.String } digestElement
            || !Digest.TryParse(digestElement.GetString(), out var digest))
        {
            error = "field critical.image.docker-manifest-digest is not a valid digest";
            return false;
        }

        var identity = critical.GetProperty("identity");
        if (!TryExactMembers(identity, "critical.identity", ["docker-reference"], out error))
        {
            return false;
        }

        if (identity.GetProperty("docker-reference") is not { ValueKind: JsonValueKind.String } referenceElement)
        {
            error = "field critical.identity.docker-reference is not a string";
            return false;
        }

        if (!TryReadOptional(root.GetProperty("optional"), out var creator, out var timestamp, out error))
        {
            return false;
        }

        payload = new SignaturePayload(referenceElement.GetString()!, digest, creator, timestamp);
        return true;
    }

    private static bool TryReadOptional(JsonElement optional, out string? creator, out long? timestamp, [NotNullWhen(false)] out string? error)
    {
        creator = null;
        timestamp = null;
        error = null;

        // Go's decoder leaves a field untouched for null, so containers/image accepts "optional": null.
        if (optional.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (optional.ValueKind != JsonValueKind.Object)
        {
            error = "field optional is not a JSON object";
            return false;
        }

        foreach (var member in optional.EnumerateObject())
        {
            switch (member.Name)
            {
                case "creator" when member.Value.ValueKind == JsonValueKind.String:
                    creator = member.Value.GetString();
                    break;
                case "creator" when member.Value.ValueKind != JsonValueKind.Null:
                    error = "field optional.creator is not a string";
                    return false;
                case "timestamp" when member.Value.ValueKind == JsonValueKind.Number:
                    // containers/image reads a float64 and requires it to be integral: 1e9 is fine, 1.5 is
                    // not, and 1e400 does not fit a float64 at all.
                    if (!member.Value.TryGetDouble(out var value) || Math.Floor(value) != value || value < long.MinValue || value >= long.MaxValue)
                    {
                        error = "field optional.timestamp is not an integer";
                        return false;
                    }

                    timestamp = (long)value;
                    break;
                case "timestamp" when member.Value.ValueKind != JsonValueKind.Null:
                    error = "field optional.timestamp is not a number";
                    return false;
                default:
                    // Unknown optional members are ignored by design (forward compatibility).
                    break;
            }
        }

        return true;
    }

    private static bool TryExactMembers(JsonElement element, string name, string[] expected, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"{name} is not a JSON object";
            return false;
        }

        var seen = 0;
        foreach (var member in element.EnumerateObject())
        {
            if (!expected.Contains(member.Name, StringComparer.Ordinal))
            {
                error = $"unexpected field \"{member.Name}\" in {name}";
                return false;
            }

            seen++;
        }

        if (seen != expected.Length)
        {
            var missing = expected.First(e => !element.TryGetProperty(e, out _));
            error = $"missing field \"{missing}\" in {name}";
            return false;
        }

        return true;
    }

    private static string? FindDuplicateKey(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    if (!names.Add(member.Name))
                    {
                        return $"duplicate key \"{member.Name}\" in signature payload";
                    }

                    if (FindDuplicateKey(member.Value) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicateKey(item) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
