namespace U7s.Testing;

/// <summary>
/// A throwaway GNUPGHOME (INTEROP §3): 0700, loopback pinentry allowed, every call batch-mode with
/// loopback pinentry; the agent is killed and the directory removed on dispose.
/// </summary>
public sealed class GnuPgHome : IDisposable
{
    private readonly TempDirectory _directory = new("u7s-gnupg");

    public GnuPgHome()
    {
        Path = _directory.Combine("gnupg");
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(System.IO.Path.Combine(Path, "gpg-agent.conf"), "allow-loopback-pinentry\n");
    }

    public string Path { get; }

    /// <summary>A scratch file path next to the keyring (removed with it).</summary>
    public string FilePath(string name) => _directory.Combine(name);

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["GNUPGHOME"] = Path };

    /// <summary>Runs <c>gpg --batch --pinentry-mode loopback</c> with the given arguments.</summary>
    public Task<ProcessResult> GpgAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--no-tty", .. arguments], Environment, timeout: TimeSpan.FromMinutes(1));

    /// <summary>Imports key files (public or secret, armored or binary).</summary>
    public async Task ImportAsync(params string[] keyFiles)
    {
        foreach (var file in keyFiles)
        {
            (await GpgAsync("--import", file)).EnsureSuccess("gpg --import " + file);
        }
    }

    public void Dispose()
    {
        try
        {
            ExternalProcess.RunAsync("gpgconf", ["--kill", "gpg-agent"], Environment, timeout: TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Best effort: a missing gpgconf or a dead agent must not fail cleanup.
        }

        _directory.Dispose();
    }
}
