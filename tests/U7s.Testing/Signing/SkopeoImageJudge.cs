using System.Text.Json.Nodes;
using U7s.Oci;
using U7s.Oci.Policy;

namespace U7s.Testing.Signing;

/// <summary>
/// A real <see cref="IImageJudge"/> for tests: pulls the image with skopeo 1.9.3 from the
/// registry on <c>registryHostPort</c> under a <c>signedBy</c> policy that trusts only the given
/// public key, reading signatures from the lookaside tree, with the signed identity
/// (<c>registry.local/…</c>) remapped onto the test registry's address (INTEROP §5-6).
/// </summary>
public sealed class SkopeoImageJudge(string registryHostPort, string publicKeyPath, string lookasideRoot, string workDirectory, string signedHost = "registry.local") : IImageJudge
{
    public async Task<ImageVerdict> JudgeAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var dir = Path.Combine(workDirectory, $"verify-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(dir, "rd"));
        var policy = Path.Combine(dir, "policy.json");
        var requirement = new JsonObject
        {
            ["type"] = "signedBy",
            ["keyType"] = "GPGKeys",
            ["keyPath"] = publicKeyPath,
            ["signedIdentity"] = new JsonObject { ["type"] = "remapIdentity", ["prefix"] = registryHostPort, ["signedPrefix"] = signedHost },
        };
        var document = new JsonObject
        {
            ["default"] = new JsonArray(new JsonObject { ["type"] = "reject" }),
            ["transports"] = new JsonObject { ["docker"] = new JsonObject { [registryHostPort] = new JsonArray(requirement) } },
        };
        await File.WriteAllTextAsync(policy, document.ToJsonString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "rd", "test.yaml"), $"""
            docker:
              {registryHostPort}:
                lookaside: file://{Path.Combine(lookasideRoot, "sigstore")}
            """, cancellationToken);
        var source = $"docker://{registryHostPort}/{reference.Repository}:{reference.Tag}";
        var result = await ExternalProcess.RunAsync(
            "skopeo",
            ["--policy", policy, "--registries.d", Path.Combine(dir, "rd"), "copy", "-q", "--src-tls-verify=false", source, $"dir:{Path.Combine(dir, "out")}"],
            new Dictionary<string, string?> { ["GNUPGHOME"] = null },
            null,
            TimeSpan.FromMinutes(2));
        try
        {
            if (result.ExitCode != 0)
            {
                return new ImageVerdict(null, false, [result.StandardError.Trim()]);
            }

            var digest = (await ExternalProcess.RunAsync("skopeo", ["manifest-digest", Path.Combine(dir, "out", "manifest.json")])).EnsureSuccess("skopeo manifest-digest").StandardOutput.Trim();
            return new ImageVerdict(Digest.Parse(digest), true, []);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The policy this verifier writes trusts exactly the keys in <c>publicKeyPath</c>: the signer must be one of them.</summary>
    public async Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken)
    {
        var home = Path.Combine(workDirectory, $"gnupg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        try
        {
            var shown = await ExternalProcess.RunAsync("gpg", ["--batch", "--with-colons", "--show-keys", publicKeyPath], new Dictionary<string, string?> { ["GNUPGHOME"] = home });
            if (shown.ExitCode != 0)
            {
                return $"cannot read the signedBy keys {publicKeyPath}: {shown.StandardError.Trim()}";
            }

            var primaries = shown.StandardOutput.Split('\n')
                .Zip(shown.StandardOutput.Split('\n').Skip(1))
                .Where(pair => pair.First.StartsWith("pub:", StringComparison.Ordinal) && pair.Second.StartsWith("fpr:", StringComparison.Ordinal))
                .Select(pair => pair.Second.Split(':')[9]);
            return primaries.Contains(signerFingerprint, StringComparer.OrdinalIgnoreCase) ? null : $"the signedBy keys do not include the signer's key {signerFingerprint}";
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
