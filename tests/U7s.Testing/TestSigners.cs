using System.Text;
using System.Text.Json.Nodes;
using U7s.Security.Signers;

namespace U7s.Testing;

/// <summary>Authorization files as <c>u7s create-imagemakeruser</c> writes them, for tests that need imagemakers without running it.</summary>
public static class TestSigners
{
    /// <summary>A policy that rejects by default and has each scope signed by <c>/var/sigstore/keys/&lt;user&gt;.pgp</c>.</summary>
    public static string Policy(params (string Scope, string User)[] signers)
    {
        var docker = new JsonObject();
        foreach (var (scope, user) in signers)
        {
            docker[scope] = new JsonArray(new JsonObject { ["type"] = "signedBy", ["keyType"] = "GPGKeys", ["keyPath"] = $"/var/sigstore/keys/{user}.pgp" });
        }

        return new JsonObject
        {
            ["default"] = new JsonArray(new JsonObject { ["type"] = "reject" }),
            ["transports"] = new JsonObject { ["docker"] = docker },
        }.ToJsonString();
    }

    /// <summary>Writes the authorization file (mode 0644) with <paramref name="policyJson"/> and the armored keys; returns <paramref name="path"/>.</summary>
    public static string Write(string path, string policyJson, params (string User, byte[] Key)[] keys)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, SignersDocument.Create(policyJson, keys.ToDictionary(k => k.User, k => Encoding.ASCII.GetString(k.Key))).ToJson());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return path;
    }
}
