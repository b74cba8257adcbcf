using System.Text.Json.Nodes;

namespace U7s.Cluster.Node;

/// <summary>
/// What a policy makes a node trust, each key file reduced to the fingerprints in it: one <see cref="Line"/> per
/// requirement (<c>docker registry.local: signedBy 0123… (Alice &lt;alice@example.test&gt;)</c>). Two policies that
/// accept the same signers for the same images have the same lines whatever their key files are called, so
/// <c>create-policy</c> compares the trust a node has with the trust a download would give it.
/// </summary>
public sealed class NodeTrust
{
    private static readonly string[] KeySources = ["keyPath", "keyPaths", "keyData"];

    private NodeTrust(IReadOnlyList<Line> lines, IReadOnlyList<KeyIdentity> keys)
    {
        Lines = lines;
        Keys = keys;
    }

    /// <summary>One requirement: <see cref="Compared"/> (fingerprints only) decides equality, <see cref="Shown"/> adds user ids.</summary>
    public sealed record Line(string Compared, string Shown);

    public IReadOnlyList<Line> Lines { get; }

    /// <summary>Every key any requirement names, once per fingerprint.</summary>
    public IReadOnlyList<KeyIdentity> Keys { get; }

    /// <summary>
    /// The trust of <paramref name="policy"/>, reading each key path through <paramref name="readKey"/> (null: the
    /// file is missing, which trusts no key). Throws <see cref="ClusterException"/> (InvalidInput) for a key file that
    /// holds no public key.
    /// </summary>
    public static NodeTrust Of(EditablePolicy policy, Func<string, byte[]?> readKey, IKeyInspector inspector)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(readKey);
        ArgumentNullException.ThrowIfNull(inspector);
        var lines = new List<Line>();
        var keys = new Dictionary<string, KeyIdentity>(StringComparer.Ordinal);
        foreach (var (where, requirement) in policy.Requirements())
        {
            if ((string?)requirement["type"] != "signedBy")
            {
                var text = $"{where}: {requirement.ToJsonString()}";
                lines.Add(new Line(text, text));
                continue;
            }

            var found = new List<KeyIdentity>();
            var missing = new List<string>();
            foreach (var (source, bytes) in Sources(requirement, readKey))
            {
                if (bytes is null)
                {
                    missing.Add(source);
                    continue;
                }

                try
                {
                    found.AddRange(inspector.Inspect(bytes));
                }
                catch (InvalidDataException e)
                {
                    throw new ClusterException($"{source} is not an OpenPGP public key: {e.Message}", ClusterErrorKind.InvalidInput);
                }
            }

            var distinct = found.DistinctBy(k => k.Fingerprint).OrderBy(k => k.Fingerprint, StringComparer.Ordinal).ToList();
            foreach (var key in distinct)
            {
                keys.TryAdd(key.Fingerprint, key);
            }

            var rest = Rest(requirement);
            var absent = missing.Count == 0 ? string.Empty : $" (missing: {string.Join(", ", missing)})";
            lines.Add(new Line(
                $"{where}: signedBy {string.Join(", ", distinct.Select(k => k.Fingerprint))}{rest}",
                $"{where}: signed by {(distinct.Count == 0 ? "no key" : string.Join(", ", distinct))}{rest}{absent}"));
        }

        return new NodeTrust(lines, keys.Values.OrderBy(k => k.Fingerprint, StringComparer.Ordinal).ToList());
    }

    /// <summary>The lines this trust has and <paramref name="other"/> lacks.</summary>
    public IEnumerable<Line> Except(NodeTrust other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var theirs = other.Lines.Select(l => l.Compared).ToHashSet(StringComparer.Ordinal);
        return Lines.Where(l => !theirs.Contains(l.Compared));
    }

    private static IEnumerable<(string Source, byte[]? Bytes)> Sources(JsonObject requirement, Func<string, byte[]?> readKey)
    {
        if ((string?)requirement["keyData"] is { } data)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(data);
            }
            catch (FormatException)
            {
                throw new ClusterException("a signedBy keyData is not base64", ClusterErrorKind.InvalidInput);
            }

            yield return ("keyData", bytes);
        }

        var paths = requirement["keyPaths"] is JsonArray many ? many.Select(p => (string)p!) : requirement["keyPath"] is { } one ? [(string)one!] : [];
        foreach (var path in paths)
        {
            yield return (path, readKey(path));
        }
    }

    // signedIdentity and anything else the requirement says, beside its keys.
    private static string Rest(JsonObject requirement)
    {
        var rest = new JsonObject();
        foreach (var (name, value) in requirement)
        {
            if (name != "type" && !(name == "keyType" && (string?)value == "GPGKeys") && !KeySources.Contains(name))
            {
                rest[name] = value?.DeepClone();
            }
        }

        return rest.Count == 0 ? string.Empty : " " + rest.ToJsonString();
    }
}
