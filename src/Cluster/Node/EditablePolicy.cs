using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using U7s.Oci.Policy;

namespace U7s.Cluster.Node;

/// <summary>
/// A node's <c>policy.json</c> (SPEC §3.2) as root's verbs edit it. Read with the one grammar every part of
/// U7s uses (<see cref="PolicyParser"/>), then edited as JSON, so every other scope and requirement stays as
/// written; written indented with two spaces and a final newline, like podsec's jq.
/// </summary>
public sealed class EditablePolicy
{
    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject _root;

    private EditablePolicy(JsonObject root) => _root = root;

    /// <summary>The seed of a fresh node: reject everything, no docker scopes yet.</summary>
    public static EditablePolicy Seed() => new(new JsonObject
    {
        ["default"] = new JsonArray(Requirement("reject")),
        ["transports"] = new JsonObject { ["docker"] = new JsonObject() },
    });

    /// <summary>Parses and strictly validates; throws <see cref="InvalidDataException"/> on any problem.</summary>
    public static EditablePolicy Parse(string json)
    {
        Validate(json);
        return new EditablePolicy(JsonNode.Parse(json)!.AsObject());
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the first problem when <paramref name="json"/> is not a policy
    /// containers/image would read (the check of a dated policy file before it goes live).
    /// </summary>
    public static void Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            _ = PolicyParser.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        }
        catch (PolicyException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <summary>True when <c>default</c> is exactly one <c>reject</c> requirement.</summary>
    public bool DefaultIsReject =>
        _root["default"] is JsonArray { Count: 1 } list && (string?)list[0]?["type"] == "reject";

    /// <summary>Sets <c>default</c> to one requirement of <paramref name="type"/>, keeping the scopes.</summary>
    public EditablePolicy WithDefault(string type)
    {
        var copy = Clone();
        copy._root["default"] = new JsonArray(Requirement(type));
        return copy;
    }

    /// <summary>Ensures <c>transports.docker</c> exists (the seed's shape) without touching its scopes.</summary>
    public EditablePolicy WithDockerTransport()
    {
        var copy = Clone();
        if (copy._root["transports"] is not JsonObject transports)
        {
            transports = [];
            copy._root["transports"] = transports;
        }

        if (transports["docker"] is not JsonObject)
        {
            transports["docker"] = new JsonObject();
        }

        return copy;
    }

    /// <summary>Every <c>keyPath</c>/<c>keyPaths</c> entry of every scope.</summary>
    public IEnumerable<string> KeyPaths() =>
        Scopes().SelectMany(s => s.Value.OfType<JsonObject>())
            .SelectMany(r => r["keyPaths"] is JsonArray many ? many.Select(p => (string?)p) : [(string?)r["keyPath"]])
            .OfType<string>();

    /// <summary>The docker scope names (<c>registry.local</c>, <c>registry.local/k8s-c10f1</c>…).</summary>
    public IEnumerable<string> DockerScopes() => Scopes().Select(s => s.Key);

    /// <summary>
    /// Trusts <paramref name="keyPath"/> for docker scope <paramref name="scope"/>. A scope that
    /// already has one <c>signedBy</c> GPGKeys with other keys gets the new key ADDED (<c>keyPath</c>
    /// becomes <c>keyPaths</c>): any of them may sign. A scope with other requirements is refused,
    /// since adding a signer there would change its meaning (AND of requirements).
    /// </summary>
    public (EditablePolicy Policy, SignerChange Change, IReadOnlyList<string> Others) WithSigner(string scope, string keyPath)
    {
        var copy = WithDockerTransport();
        var docker = copy._root["transports"]!["docker"]!.AsObject();
        if (docker[scope] is not JsonArray requirements)
        {
            docker[scope] = new JsonArray(new JsonObject
            {
                ["type"] = "signedBy",
                ["keyType"] = "GPGKeys",
                ["keyPath"] = keyPath,
            });
            return (copy, SignerChange.ScopeCreated, []);
        }

        if (requirements.Count != 1 || requirements[0] is not JsonObject signedBy
            || (string?)signedBy["type"] != "signedBy" || (string?)signedBy["keyType"] != "GPGKeys" || signedBy.ContainsKey("keyData"))
        {
            throw new ClusterException(
                $"policy scope {scope} holds requirements other than one signedBy with key files; add the signer by hand", ClusterErrorKind.Refused);
        }

        var keys = signedBy["keyPaths"] is JsonArray many
            ? many.Select(p => (string)p!).ToList()
            : [(string)signedBy["keyPath"]!];
        if (keys.Contains(keyPath, StringComparer.Ordinal))
        {
            return (this, SignerChange.AlreadyTrusted, keys.Where(k => k != keyPath).ToList());
        }

        var others = keys.ToList();
        keys.Add(keyPath);
        signedBy.Remove("keyPath");
        signedBy.Remove("keyPaths");
        var rebuilt = new JsonObject();
        foreach (var (name, value) in signedBy.ToList())
        {
            signedBy.Remove(name);
            rebuilt[name] = value;
            if (name == "keyType")
            {
                rebuilt["keyPaths"] = new JsonArray(keys.Select(k => (JsonNode)JsonValue.Create(k)).ToArray());
            }
        }

        requirements[0] = rebuilt;
        return (copy, SignerChange.AddedBesideOthers, others);
    }

    /// <summary>
    /// This policy with every <c>keyPath</c> and <c>keyPaths</c> entry (default and every scope of every transport)
    /// replaced by <paramref name="map"/> of it; everything else as it was.
    /// </summary>
    public EditablePolicy WithKeyPaths(Func<string, string> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var copy = Clone();
        foreach (var (_, requirement) in copy.Requirements())
        {
            if (requirement["keyPath"] is JsonValue one)
            {
                requirement["keyPath"] = map((string)one!);
            }
            else if (requirement["keyPaths"] is JsonArray many)
            {
                for (var i = 0; i < many.Count; i++)
                {
                    many[i] = map((string)many[i]!);
                }
            }
        }

        return copy;
    }

    /// <summary>
    /// Every requirement with where it applies: <c>default</c>, or <c>&lt;transport&gt; &lt;scope&gt;</c>
    /// (<c>docker registry.local/k8s-c10f1</c>), in file order.
    /// </summary>
    internal IEnumerable<(string Where, JsonObject Requirement)> Requirements()
    {
        foreach (var requirement in (_root["default"] as JsonArray ?? []).OfType<JsonObject>())
        {
            yield return ("default", requirement);
        }

        foreach (var (transport, scopes) in _root["transports"] as JsonObject ?? [])
        {
            foreach (var (scope, requirements) in scopes as JsonObject ?? [])
            {
                foreach (var requirement in (requirements as JsonArray ?? []).OfType<JsonObject>())
                {
                    yield return ($"{transport} {scope}", requirement);
                }
            }
        }
    }

    public string ToJson() => _root.ToJsonString(Output) + "\n";

    public override string ToString() => ToJson();

    private static JsonObject Requirement(string type) => new() { ["type"] = type };

    private IEnumerable<KeyValuePair<string, JsonArray>> Scopes() =>
        _root["transports"]?["docker"] is JsonObject docker
            ? docker.Where(p => p.Value is JsonArray).Select(p => KeyValuePair.Create(p.Key, p.Value!.AsArray()))
            : [];

    private EditablePolicy Clone() => new(_root.DeepClone().AsObject());
}
