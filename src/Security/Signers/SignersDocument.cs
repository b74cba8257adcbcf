using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace U7s.Security.Signers;

/// <summary>
/// The authorization file the servers take imagemaker rights from (default <c>/etc/u7s/signers.json</c>,
/// root-owned; on S3 the bucket object <c>authz/signers.json</c>): the signature policy naming each
/// signer's key under the scopes it signs for (the same document nodes get as <c>keys/policy.json</c>),
/// and each signer's public key by user name. <c>u7s create-imagemakeruser</c> writes it from the same
/// data it publishes to the served tree; the served copies are for nodes and never grant anything.
/// <code>
/// { "policy": { "default": [ … ], "transports": { "docker": { "registry.local/k8s-c10f1": [ { "type": "signedBy", …, "keyPath": "/var/sigstore/keys/bob.pgp" } ] } } },
///   "keys": { "bob": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n…" } }
/// </code>
/// </summary>
public sealed class SignersDocument
{
    /// <summary>Where <c>u7s create-imagemakeruser</c> writes it on the registry node, and where <c>u7s serve</c> reads it by default.</summary>
    public const string DefaultPath = "/etc/u7s/signers.json";

    /// <summary>The bucket key (under the configured prefix) replicas on S3 read it from.</summary>
    public const string S3Key = "authz/signers.json";

    /// <summary>Larger files are refused unread.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private SignersDocument(string policyJson, IReadOnlyDictionary<string, string> keys)
    {
        PolicyJson = policyJson;
        Keys = keys;
    }

    /// <summary>The policy, as JSON text (parsed by each reader with its own strict policy parser).</summary>
    public string PolicyJson { get; }

    /// <summary>Each signer's public key (ASCII-armored) by user name.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; }

    public static SignersDocument Create(string policyJson, IReadOnlyDictionary<string, string> keys)
    {
        ArgumentNullException.ThrowIfNull(policyJson);
        ArgumentNullException.ThrowIfNull(keys);
        return new SignersDocument(policyJson, new SortedDictionary<string, string>(keys.ToDictionary(), StringComparer.Ordinal));
    }

    /// <summary>Throws <see cref="InvalidDataException"/> with a one-line reason when the file is not this document.</summary>
    public static SignersDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("policy", out var policy) || policy.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Object
                || root.EnumerateObject().Count() != 2)
            {
                throw new InvalidDataException("expected exactly {\"policy\": {…}, \"keys\": {\"<user>\": \"<armored key>\"}}");
            }

            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in keys.EnumerateObject())
            {
                if (key.Value.ValueKind != JsonValueKind.String || !map.TryAdd(key.Name, key.Value.GetString()!))
                {
                    throw new InvalidDataException($"key of '{key.Name}' must be one string");
                }
            }

            return new SignersDocument(policy.GetRawText(), map);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not JSON: {e.Message}", e);
        }
    }

    /// <summary>This document with <paramref name="user"/>'s key set and the policy replaced.</summary>
    public SignersDocument With(string policyJson, string user, string armoredKey)
    {
        var keys = Keys.ToDictionary(StringComparer.Ordinal);
        keys[user] = armoredKey;
        return Create(policyJson, keys);
    }

    public byte[] ToJson()
    {
        var keys = new JsonObject();
        foreach (var (user, key) in Keys)
        {
            keys[user] = key;
        }

        var root = new JsonObject { ["policy"] = JsonNode.Parse(PolicyJson), ["keys"] = keys };
        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
