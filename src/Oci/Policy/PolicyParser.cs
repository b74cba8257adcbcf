using System.Text.Json;
using U7s.Oci;

namespace U7s.Oci.Policy;

/// <summary>
/// The strict <c>policy.json</c> reader of SPEC §3.2: unknown or duplicate fields reject the whole
/// file, <c>default</c> is mandatory and non-empty, <c>signedBy</c> names exactly one of
/// <c>keyPath</c>/<c>keyPaths</c>/<c>keyData</c>. Failures throw <see cref="PolicyException"/>.
/// </summary>
public static class PolicyParser
{
    private static readonly string[] KeyTypes = ["GPGKeys", "signedByGPGKeys", "X509Certificates", "signedByX509CAs"];
    private static readonly string[] KeySources = ["keyPath", "keyPaths", "keyData"];

    public static PolicyDocument Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new PolicyException("invalid policy JSON: " + e.Message, e);
        }

        using (document)
        {
            var root = Object(document.RootElement, "policy", ["default", "transports"]);
            if (!root.TryGetValue("default", out var defaultElement))
            {
                throw new PolicyException("policy has no \"default\"");
            }

            var defaults = Requirements(defaultElement, "default");
            var transports = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>(StringComparer.Ordinal);
            if (root.TryGetValue("transports", out var transportsElement) && transportsElement.ValueKind != JsonValueKind.Null)
            {
                foreach (var (transport, scopesElement) in Object(transportsElement, "transports", null))
                {
                    var scopes = new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal);
                    if (scopesElement.ValueKind != JsonValueKind.Null)
                    {
                        foreach (var (scope, requirements) in Object(scopesElement, $"transports.{transport}", null))
                        {
                            scopes[scope] = Requirements(requirements, $"transports.{transport}[\"{scope}\"]");
                        }
                    }

                    transports[transport] = scopes;
                }
            }

            return new PolicyDocument(defaults, transports);
        }
    }

    private static List<PolicyRequirement> Requirements(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new PolicyException($"{where} is not an array of requirements");
        }

        var list = element.EnumerateArray().Select(e => Requirement(e, where)).ToList();
        return list.Count > 0 ? list : throw new PolicyException($"{where}: no policy requirements were specified");
    }

    private static PolicyRequirement Requirement(JsonElement element, string where)
    {
        var type = TypeOf(element, where);
        switch (type)
        {
            case "insecureAcceptAnything":
                Object(element, where, ["type"]);
                return PolicyRequirement.InsecureAcceptAnything;
            case "reject":
                Object(element, where, ["type"]);
                return PolicyRequirement.Reject;
            case "signedBaseLayer":
                var layer = Object(element, where, ["type", "baseLayerIdentity"]);
                _ = Identity(layer.GetValueOrDefault("baseLayerIdentity"), where + ".baseLayerIdentity") ?? throw new PolicyException($"{where}: baseLayerIdentity is required");
                return new PolicyRequirement(RequirementType.SignedBaseLayer);
            case "sigstoreSigned":
                var sigstore = Object(element, where, ["type", "keyPath", "keyData", "fulcio", "rekorPublicKeyPath", "rekorPublicKeyData", "signedIdentity"]);
                return new PolicyRequirement(RequirementType.SigstoreSigned, Identity: Identity(sigstore.GetValueOrDefault("signedIdentity"), where + ".signedIdentity"));
            case "signedBy":
                return SignedBy(Object(element, where, ["type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity"]), where);
            default:
                throw new PolicyException($"{where}: unknown policy requirement type \"{type}\"");
        }
    }

    private static PolicyRequirement SignedBy(Dictionary<string, JsonElement> fields, string where)
    {
        var keyType = String(fields.GetValueOrDefault("keyType"), where + ".keyType") ?? throw new PolicyException($"{where}: keyType is required");
        if (!KeyTypes.Contains(keyType, StringComparer.Ordinal))
        {
            throw new PolicyException($"{where}: unknown key type \"{keyType}\"");
        }

        var given = KeySources.Where(fields.ContainsKey).ToList();
        if (given.Count != 1)
        {
            throw new PolicyException($"{where}: exactly one of keyPath, keyPaths and keyData must be specified");
        }

        List<string>? paths = null;
        byte[]? data = null;
        switch (given[0])
        {
            case "keyPath":
                paths = [String(fields["keyPath"], where + ".keyPath") ?? throw new PolicyException($"{where}: keyPath is null")];
                break;
            case "keyPaths":
                if (fields["keyPaths"].ValueKind != JsonValueKind.Array)
                {
                    throw new PolicyException($"{where}: keyPaths is not an array");
                }

                paths = fields["keyPaths"].EnumerateArray().Select(p => String(p, where + ".keyPaths") ?? throw new PolicyException($"{where}: null in keyPaths")).ToList();
                if (paths.Count == 0)
                {
                    throw new PolicyException($"{where}: keyPaths is empty");
                }

                break;
            default:
                try
                {
                    data = Convert.FromBase64String(String(fields["keyData"], where + ".keyData") ?? string.Empty);
                }
                catch (FormatException e)
                {
                    throw new PolicyException($"{where}: keyData is not base64", e);
                }

                break;
        }

        var identity = Identity(fields.GetValueOrDefault("signedIdentity"), where + ".signedIdentity") ?? SignedIdentity.Default;
        return new PolicyRequirement(RequirementType.SignedBy, keyType, paths, data, identity);
    }

    private static SignedIdentity? Identity(JsonElement element, string where)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        var type = TypeOf(element, where);
        switch (type)
        {
            case "matchExact":
                Object(element, where, ["type"]);
                return new SignedIdentity(SignedIdentityType.MatchExact);
            case "matchRepoDigestOrExact":
                Object(element, where, ["type"]);
                return SignedIdentity.Default;
            case "matchRepository":
                Object(element, where, ["type"]);
                return new SignedIdentity(SignedIdentityType.MatchRepository);
            case "exactReference":
                var reference = String(Object(element, where, ["type", "dockerReference"]).GetValueOrDefault("dockerReference"), where + ".dockerReference");
                if (!DockerReference.TryParse(reference, out var r) || r.IsNameOnly)
                {
                    throw new PolicyException($"{where}: dockerReference \"{reference}\" is not a reference with a tag or digest");
                }

                return new SignedIdentity(SignedIdentityType.ExactReference, reference);
            case "exactRepository":
                var repository = String(Object(element, where, ["type", "dockerRepository"]).GetValueOrDefault("dockerRepository"), where + ".dockerRepository");
                if (!Reference.TryParse(repository, out _))
                {
                    throw new PolicyException($"{where}: dockerRepository \"{repository}\" is not a repository name");
                }

                return new SignedIdentity(SignedIdentityType.ExactRepository, repository);
            case "remapIdentity":
                var remap = Object(element, where, ["type", "prefix", "signedPrefix"]);
                var prefix = String(remap.GetValueOrDefault("prefix"), where + ".prefix");
                var signedPrefix = String(remap.GetValueOrDefault("signedPrefix"), where + ".signedPrefix");
                if (string.IsNullOrEmpty(prefix) || string.IsNullOrEmpty(signedPrefix))
                {
                    throw new PolicyException($"{where}: remapIdentity needs prefix and signedPrefix");
                }

                return new SignedIdentity(SignedIdentityType.RemapIdentity, prefix, signedPrefix);
            default:
                throw new PolicyException($"{where}: unknown signedIdentity type \"{type}\"");
        }
    }

    private static string TypeOf(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"{where}: not a JSON object");
        }

        return element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new PolicyException($"{where}: missing \"type\"");
    }

    private static string? String(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        _ => throw new PolicyException($"{where} is not a string"),
    };

    /// <summary>The members of an object, refusing duplicates and (when <paramref name="allowed"/> is given) unknown names.</summary>
    private static Dictionary<string, JsonElement> Object(JsonElement element, string where, string[]? allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"{where} is not a JSON object");
        }

        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (allowed is not null && !allowed.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new PolicyException($"{where}: unknown field \"{member.Name}\"");
            }

            if (!members.TryAdd(member.Name, member.Value))
            {
                throw new PolicyException($"{where}: duplicate field \"{member.Name}\"");
            }
        }

        return members;
    }
}
