using System.Text.Json;
using U7s.Loader.Signing;
using U7s.Oci;

namespace U7s.Testing.Signing;

/// <summary>
/// A real <see cref="IImageSigner"/> for tests: the simple-signing payload of SPEC §2.1 signed by
/// <c>gpg --sign</c> (binary, not detached) with the keyring's primary key, written to
/// <c>&lt;root&gt;/sigstore/&lt;repo&gt;@sha256=&lt;hex&gt;/signature-N</c> at the next free N;
/// an existing signature with the same claim is reused.
/// </summary>
public sealed class GpgImageSigner(GpgKeyring keyring, string lookasideRoot, string? email = null) : IImageSigner
{
    private readonly string _email = email ?? keyring.Email;

    public string SignatureDirectory(Reference reference, Digest digest) =>
        Path.Combine(lookasideRoot, "sigstore", $"{reference.Repository.Value}@{digest.Algorithm}={digest.Hex}");

    async Task<PreparedSigner> IImageSigner.PrepareAsync(CancellationToken cancellationToken)
    {
        var listing = await keyring.GpgAsync(["--batch", "--with-colons", "--list-secret-keys", _email]);
        if (listing.ExitCode != 0)
        {
            throw new InvalidOperationException($"no secret key for '{_email}' in {keyring.Home}");
        }

        return new PreparedSigner(keyring.Fingerprint, $"{_email} ({keyring.Fingerprint})");
    }

    async Task<SignatureResult> IImageSigner.SignAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var directory = SignatureDirectory(reference, manifestDigest);
        Directory.CreateDirectory(directory);
        var index = 1;
        for (; File.Exists(Path.Combine(directory, $"signature-{index}")); index++)
        {
            var existing = await keyring.GpgAsync(["--batch", "--decrypt", Path.Combine(directory, $"signature-{index}")]);
            if (existing.ExitCode == 0 && SameClaim(existing.StandardOutput, reference, manifestDigest))
            {
                return new SignatureResult(_email, index, Existing: true);
            }
        }

        var payload = Payload(reference, manifestDigest);
        var payloadPath = Path.Combine(directory, $".payload-{Guid.NewGuid():N}");
        var temp = Path.Combine(directory, $".signature-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(payloadPath, payload, cancellationToken);
        try
        {
            (await keyring.GpgAsync(["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", keyring.Fingerprint + "!", "--output", temp, "--sign", payloadPath]))
                .EnsureSuccess("gpg --sign");
            File.Move(temp, Path.Combine(directory, $"signature-{index}"));
        }
        finally
        {
            File.Delete(payloadPath);
            File.Delete(temp);
        }

        return new SignatureResult($"{_email} ({keyring.Fingerprint})", index, Existing: false);
    }

    /// <summary>Compact JSON with keys in sorted order and no trailing newline (SPEC §2.1).</summary>
    public static string Payload(Reference reference, Digest digest) =>
        "{\"critical\":{\"identity\":{\"docker-reference\":" + JsonSerializer.Serialize(reference.ToString())
        + "},\"image\":{\"docker-manifest-digest\":" + JsonSerializer.Serialize(digest.ToString())
        + "},\"type\":\"atomic container signature\"},\"optional\":{\"creator\":\"u7s 1.0.0\",\"timestamp\":"
        + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "}}";

    private static bool SameClaim(string payload, Reference reference, Digest digest)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var critical = doc.RootElement.GetProperty("critical");
            return critical.GetProperty("identity").GetProperty("docker-reference").GetString() == reference.ToString()
                && critical.GetProperty("image").GetProperty("docker-manifest-digest").GetString() == digest.ToString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
