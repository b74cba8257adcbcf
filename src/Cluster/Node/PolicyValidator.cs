using System.Text.Json;

namespace U7s.Cluster.Node;

/// <summary>
/// Strict check of a containers-policy.json (SPEC §3.2), as containers/image 5.23 parses it: unknown
/// or duplicate fields reject the whole file, <c>default</c> is mandatory and non-empty, every
/// scope holds a non-empty requirement list, <c>signedBy</c> has exactly one key source. Throws
/// <see cref="InvalidDataException"/> naming the first problem.
/// </summary>
public static class PolicyValidator
{
    private static readonly string[] KeySources = ["keyPath", "keyPaths", "keyData"];
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    public static void Validate(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Strict);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"policy is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = Object(document.RootElement, "policy");
            Only(root, "policy", "default", "transports");
            if (!root.TryGetProperty("default", out var defaults))
            {
                throw new InvalidDataException("policy has no \"default\"");
            }

            Requirements(defaults, "default");
            if (root.TryGetProperty("transports", out var transports))
            {
                foreach (var transport in Object(transports, "transports").EnumerateObject())
                {
                    foreach (var scope in Object(transport.Value, transport.Name).EnumerateObject())
                    {
                        Requirements(scope.Value, $"{transport.Name} scope \"{scope.Name}\"");
                    }
                }
            }
        }
    }

    private static void Requirements(JsonElement list, string where)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"{where} must be a non-empty array of requirements");
        }

        foreach (var item in list.EnumerateArray())
        {
            Requirement(Object(item, where), where);
        }
    }

    private static void Requirement(JsonElement requirement, string where)
    {
        var type = String(requirement, "type", where) ?? throw new InvalidDataException($"{where}: requirement without \"type\"");
        switch (type)
        {
            case "insecureAcceptAnything" or "reject":
                Only(requirement, where, "type");
                break;
            case "signedBy":
                Only(requirement, where, "type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity");
                _ = String(requirement, "keyType", where) ?? throw new InvalidDataException($"{where}: signedBy without \"keyType\"");
                var sources = KeySources.Count(k => requirement.TryGetProperty(k, out _));
                if (sources != 1)
                {
                    throw new InvalidDataException($"{where}: signedBy needs exactly one of keyPath, keyPaths, keyData");
                }

                _ = String(requirement, "keyPath", where);
                _ = String(requirement, "keyData", where);
                if (requirement.TryGetProperty("keyPaths", out var paths)
                    && (paths.ValueKind != JsonValueKind.Array || paths.GetArrayLength() == 0 || paths.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String)))
                {
                    throw new InvalidDataException($"{where}: keyPaths must be a non-empty array of strings");
                }

                if (requirement.TryGetProperty("signedIdentity", out var identity))
                {
                    SignedIdentity(Object(identity, where), where);
                }

                break;
            case "signedBaseLayer":
                Only(requirement, where, "type", "baseLayerIdentity");
                break;
            case "sigstoreSigned":
                Only(requirement, where, "type", "keyPath", "keyData", "fulcio", "rekorPublicKeyPath", "rekorPublicKeyData", "signedIdentity");
                break;
            default:
                throw new InvalidDataException($"{where}: unknown requirement type \"{type}\"");
        }
    }

    private static void SignedIdentity(JsonElement identity, string where)
    {
        var type = String(identity, "type", where) ?? throw new InvalidDataException($"{where}: signedIdentity without \"type\"");
        string[] fields = type switch
        {
            "matchExact" or "matchRepoDigestOrExact" or "matchRepository" => ["type"],
            "exactReference" => ["type", "dockerReference"],
            "exactRepository" => ["type", "dockerRepository"],
            "remapIdentity" => ["type", "prefix", "signedPrefix"],
            _ => throw new InvalidDataException($"{where}: unknown signedIdentity type \"{type}\""),
        };
        Only(identity, where, fields);
        foreach (var field in fields)
        {
            _ = String(identity, field, where) ?? throw new InvalidDataException($"{where}: signedIdentity {type} needs \"{field}\"");
        }
    }

    private static JsonElement Object(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new InvalidDataException($"{where} must be a JSON object");

    private static void Only(JsonElement element, string where, params string[] allowed)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"{where}: unknown field \"{property.Name}\"");
            }
        }
    }

    private static string? String(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new InvalidDataException($"{where}: \"{name}\" must be a string");
    }
}
