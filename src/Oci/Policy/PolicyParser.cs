using System.Text.Json;
using System.Text.RegularExpressions;

namespace U7s.Oci.Policy;

/// <summary>
/// The one strict <c>policy.json</c> reader (SPEC §3.2), with containers/image's rules
/// (<c>signature/policy_config.go</c>): unknown or duplicate fields reject the whole file, <c>default</c> is
/// mandatory and non-empty, <c>transports</c>, each transport and each scope's list are what they claim to be
/// (never <c>null</c>), <c>signedBy</c> has a known <c>keyType</c> and exactly one non-empty <c>keyPath</c>,
/// <c>keyPaths</c> or base64 <c>keyData</c>, and an identity rule, when given, is a valid one (never <c>null</c>).
/// Servers, the loader, <c>u7s verify</c> and root's node verbs all read policies through it. Failures throw
/// <see cref="PolicyException"/>. Stricter than containers/image in one place: an empty <c>keyPaths</c>
/// (which trusts no key) is refused rather than read.
/// </summary>
public static partial class PolicyParser
{
    private static readonly string[] KeyTypes = ["GPGKeys", "signedByGPGKeys", "X509Certificates", "signedByX509CAs"];
    private static readonly string[] KeySources = ["keyPath", "keyPaths", "keyData"];

    /// <summary>No policy nests deeper than this; a deeper document is refused before it is walked.</summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public static PolicyDocument Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), Options);
        }
        catch (JsonException e)
        {
            throw new PolicyException("invalid policy JSON: " + e.Message, e);
        }

        using (document)
        {
            // Every object once for duplicates, those the reader below does not walk (sigstoreSigned's fulcio) too.
            RefuseDuplicates(document.RootElement, "policy");
            var root = Object(document.RootElement, "policy", ["default", "transports"]);
            if (!root.TryGetValue("default", out var defaultElement))
            {
                throw new PolicyException("policy has no \"default\"");
            }

            var defaults = Requirements(defaultElement, "default");
            var transports = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>(StringComparer.Ordinal);
            if (root.TryGetValue("transports", out var transportsElement))
            {
                foreach (var (transport, scopesElement) in Object(transportsElement, "transports", null))
                {
                    var scopes = new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal);
                    foreach (var (scope, requirements) in Object(scopesElement, $"transports.{transport}", null))
                    {
                        scopes[scope] = Requirements(requirements, $"transports.{transport}[\"{scope}\"]");
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
                _ = Identity(layer, "baseLayerIdentity", where) ?? throw new PolicyException($"{where}: baseLayerIdentity is required");
                return new PolicyRequirement(RequirementType.SignedBaseLayer);
            case "sigstoreSigned":
                var sigstore = Object(element, where, ["type", "keyPath", "keyData", "fulcio", "rekorPublicKeyPath", "rekorPublicKeyData", "signedIdentity"]);
                return new PolicyRequirement(RequirementType.SigstoreSigned, Identity: Identity(sigstore, "signedIdentity", where));
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
                // containers/image counts an empty keyPath as none given.
                var path = String(fields["keyPath"], where + ".keyPath");
                paths = string.IsNullOrEmpty(path) ? throw new PolicyException($"{where}: keyPath is empty") : [path];
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
                // A JSON null is not a keyring: containers/image counts it as none given.
                var text = String(fields["keyData"], where + ".keyData") ?? throw new PolicyException($"{where}: keyData is null");
                try
                {
                    data = Convert.FromBase64String(text);
                }
                catch (FormatException e)
                {
                    throw new PolicyException($"{where}: keyData is not base64", e);
                }

                break;
        }

        var identity = Identity(fields, "signedIdentity", where) ?? SignedIdentity.Default;
        return new PolicyRequirement(RequirementType.SignedBy, keyType, paths, data, identity);
    }

    /// <summary>
    /// The identity rule in <paramref name="field"/>; null when the field is absent. Present, it must be a valid
    /// rule: containers/image refuses a <c>null</c> there (no rule type), it does not read it as the default.
    /// </summary>
    private static SignedIdentity? Identity(Dictionary<string, JsonElement> fields, string field, string requirement)
    {
        if (!fields.TryGetValue(field, out var element))
        {
            return null;
        }

        var where = $"{requirement}.{field}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"{where}: not a JSON object");
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

                foreach (var value in new[] { prefix, signedPrefix })
                {
                    if (!IsRemapPrefix(value))
                    {
                        throw new PolicyException($"{where}: prefix \"{value}\" is not a host or a repository under a host");
                    }
                }

                return new SignedIdentity(SignedIdentityType.RemapIdentity, prefix, signedPrefix);
            default:
                throw new PolicyException($"{where}: unknown signedIdentity type \"{type}\"");
        }
    }

    /// <summary>containers/image's <c>validateIdentityRemappingPrefix</c>: a host (<c>name[:port]</c>), or a repository name that starts with one.</summary>
    private static bool IsRemapPrefix(string value) => Domain().IsMatch(value) || (Name().IsMatch(value) && DomainThenSlash().IsMatch(value));

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

    /// <summary>
    /// The members of an object, refusing anything else (<c>null</c> included: containers/image reads every one of
    /// these as an object) and, when <paramref name="allowed"/> is given, unknown names.
    /// </summary>
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

            members[member.Name] = member.Value;
        }

        return members;
    }

    private static void RefuseDuplicates(JsonElement element, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    if (!seen.Add(member.Name))
                    {
                        throw new PolicyException($"{where}: duplicate field \"{member.Name}\"");
                    }

                    RefuseDuplicates(member.Value, $"{where}.{member.Name}");
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RefuseDuplicates(item, where);
                }

                break;
        }
    }

    // docker/distribution's reference grammar: a domain (components of letters, digits and inner dashes, dot-joined,
    // an optional port) and a name (path components of lower-case letters and digits joined by separators).
    private const string DomainPattern = @"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?";
    private const string ComponentPattern = @"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";

    [GeneratedRegex("^" + DomainPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Domain();

    [GeneratedRegex("^" + DomainPattern + "/", RegexOptions.CultureInvariant)]
    private static partial Regex DomainThenSlash();

    [GeneratedRegex("^(?:" + DomainPattern + "/)?" + ComponentPattern + "(?:/" + ComponentPattern + ")*$", RegexOptions.CultureInvariant)]
    private static partial Regex Name();
}
