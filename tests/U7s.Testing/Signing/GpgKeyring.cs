namespace U7s.Testing.Signing;

/// <summary>
/// A throwaway GnuPG home with one RSA primary signing key and no passphrase (INTEROP §3), plus
/// its public key exported for policies. The agent is stopped on dispose.
/// </summary>
public sealed class GpgKeyring : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-gpg");

    private GpgKeyring(string email)
    {
        Email = email;
        Home = _temp.Combine("gnupg");
    }

    public string Email { get; }

    public string Home { get; }

    public string Fingerprint { get; private set; } = string.Empty;

    /// <summary>Binary public keyring for <c>signedBy</c> policies.</summary>
    public string PublicKeyPath => _temp.Combine("pub.gpg");

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["GNUPGHOME"] = Home };

    public static async Task<GpgKeyring> CreateAsync(string email = "imagemaker@example.test")
    {
        var keyring = new GpgKeyring(email);
        Directory.CreateDirectory(keyring.Home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyring.Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(keyring.Home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
        var parameters = $"""
            Key-Type: RSA
            Key-Length: 2048
            Key-Usage: sign
            Name-Real: Image Maker
            Name-Email: {email}
            Expire-Date: 0
            %no-protection
            %commit

            """;
        (await keyring.GpgAsync(["--batch", "--gen-key"], parameters)).EnsureSuccess("gpg --gen-key");
        var listing = (await keyring.GpgAsync(["--batch", "--with-colons", "--list-secret-keys", email])).EnsureSuccess("gpg --list-secret-keys");
        keyring.Fingerprint = listing.StandardOutput.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        (await keyring.GpgAsync(["--batch", "--yes", "--output", keyring.PublicKeyPath, "--export", keyring.Fingerprint])).EnsureSuccess("gpg --export");
        return keyring;
    }

    public Task<ProcessResult> GpgAsync(IEnumerable<string> arguments, string? standardInput = null) =>
        ExternalProcess.RunAsync("gpg", ["--homedir", Home, .. arguments], Environment, standardInput, TimeSpan.FromMinutes(2));

    public void Dispose()
    {
        try
        {
            ExternalProcess.RunAsync("gpgconf", ["--homedir", Home, "--kill", "gpg-agent"], Environment, null, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The agent may not have started.
        }

        _temp.Dispose();
    }
}
