using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Users;

namespace U7s.Testing;

/// <summary>
/// A real <see cref="ISignerKeyProvisioner"/> for tests: GnuPG 2.2 in batch mode with its own
/// GNUPGHOME (<c>--quick-gen-key … rsa3072 sign 0</c>, no passphrase, primary key only), export
/// with <c>--export --armor &lt;fingerprint&gt;</c>. Keys for every user live in the one keyring.
/// </summary>
public sealed class GpgSignerKeyProvisioner : IAsyncDisposable
{
    private readonly TempDirectory _home = new("u7s-gpg");

    public GpgSignerKeyProvisioner()
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_home.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(Path.Join(_home.Path, "gpg-agent.conf"), "allow-loopback-pinentry\n");
        Provisioner = new Implementation(this);
    }

    /// <summary>The GNUPGHOME holding the secret keys (for <c>skopeo copy --sign-by</c>).</summary>
    public string GnupgHome => _home.Path;

    public ISignerKeyProvisioner Provisioner { get; }

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["GNUPGHOME"] = _home.Path };

    public async Task<ProcessResult> GpgAsync(params string[] arguments) =>
        await ExternalProcess.RunAsync("gpg", ["--batch", .. arguments], Environment, timeout: TimeSpan.FromMinutes(2));

    /// <summary>Primary fingerprints of usable keys with a user ID of exactly <c>&lt;email&gt;</c>.</summary>
    public async Task<IReadOnlyList<string>> FindAsync(string email)
    {
        var listing = await GpgAsync("--with-colons", "--list-secret-keys");
        var result = new List<string>();
        string? validity = null;
        string? fingerprint = null;
        foreach (var fields in listing.StandardOutput.Split('\n').Select(l => l.Split(':')))
        {
            switch (fields[0])
            {
                case "sec":
                    validity = fields[1];
                    fingerprint = null;
                    break;
                case "fpr" when fingerprint is null:
                    fingerprint = fields[9];
                    break;
                case "uid" when fields[9].EndsWith($"<{email}>", StringComparison.Ordinal) && validity is not ("e" or "r") && fingerprint is not null:
                    result.Add(fingerprint);
                    break;
            }
        }

        return result.Distinct().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalProcess.RunAsync("gpgconf", ["--kill", "gpg-agent"], Environment, timeout: TimeSpan.FromSeconds(30));
        _home.Dispose();
    }

    private sealed class Implementation(GpgSignerKeyProvisioner owner) : ISignerKeyProvisioner
    {
        public async Task<SignerKey> ProvisionAsync(SignerKeyRequest request, CancellationToken cancellationToken)
        {
            var found = await owner.FindAsync(request.Email);
            if (found.Count > 1)
            {
                throw new ClusterException($"several keys for {request.Email}: {string.Join(", ", found)}");
            }

            var generated = found.Count == 0;
            if (generated)
            {
                var gen = await owner.GpgAsync("--pinentry-mode", "loopback", "--passphrase", string.Empty,
                    "--quick-gen-key", $"{request.User} <{request.Email}>", "rsa3072", "sign", "0");
                if (gen.ExitCode != 0)
                {
                    throw new ClusterException($"gpg --quick-gen-key failed: {gen.StandardError.Trim()}");
                }

                found = await owner.FindAsync(request.Email);
            }

            var fingerprint = found.Single();
            var export = await owner.GpgAsync("--export", "--armor", fingerprint);
            if (export.ExitCode != 0 || !export.StandardOutput.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal))
            {
                throw new ClusterException($"gpg --export failed: {export.StandardError.Trim()}");
            }

            var keyPath = $"/var/sigstore/keys/{request.User}.pgp";
            await new NodeFileWriter(request.Root, TimeProvider.System).WriteAsync(keyPath, export.StandardOutput, FileModes.Mode0644, cancellationToken);
            return new SignerKey(fingerprint, keyPath, generated, export.StandardOutput);
        }
    }
}
