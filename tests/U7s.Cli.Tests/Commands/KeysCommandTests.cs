using U7s.Cli;

namespace U7s.Cli.Tests.Commands;

public sealed class KeysCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-keys");

    public void Dispose() => _temp.Dispose();

    private string KeyDir => _temp.Combine("keys");

    private static async Task<CliResult> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Generate_NoPassphrase_ListsAndPublishes()
    {
        var generate = await CliAsync("keys", "generate", "--name", "Image Maker", "--email", "im@example.test", "--bits", "2048", "--no-passphrase",
            "--key-dir", KeyDir, "--publish", "--sigstore-root", _temp.Combine("www"), "--user", "imagemaker");
        var list = await CliAsync("keys", "list", "--key-dir", KeyDir);

        Assert.Equal(0, generate.ExitCode);
        Assert.Contains("Image Maker <im@example.test>", list.Output, StringComparison.Ordinal);
        Assert.Contains("RsaGeneral-2048 unprotected", list.Output, StringComparison.Ordinal);
        var published = _temp.Combine("www", "keys", "imagemaker.pgp");
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", await File.ReadAllTextAsync(published), StringComparison.Ordinal);
        Assert.Contains("published " + published, generate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_WithoutPassphraseChoice_AndNoTerminal_FailsWithoutWriting()
    {
        // Test runners redirect stdin, so there is no terminal to prompt on.
        var result = await CliAsync("keys", "generate", "--name", "X", "--email", "x@example.test", "--bits", "2048", "--key-dir", KeyDir);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--passphrase-file", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(KeyDir));
    }

    [Fact]
    public async Task Generate_KeyDirectoryInsideTheSignatureTree_IsRefusedWithoutWriting()
    {
        var sigstore = _temp.Combine("www");
        Directory.CreateDirectory(Path.Combine(sigstore, "keys"));
        File.CreateSymbolicLink(_temp.Combine("alias"), sigstore);

        var inside = await CliAsync("keys", "generate", "--name", "X", "--email", "x@example.test", "--bits", "2048", "--no-passphrase",
            "--key-dir", Path.Combine(sigstore, "keys", "secret"), "--sigstore-root", sigstore);
        var throughLink = await CliAsync("keys", "generate", "--name", "X", "--email", "x@example.test", "--bits", "2048", "--no-passphrase",
            "--key-dir", _temp.Combine("alias", "keys"), "--sigstore-root", sigstore);

        Assert.Equal(ExitCodes.Usage, inside.ExitCode);
        Assert.Equal($"u7s: {Path.Combine(sigstore, "keys", "secret")} lies inside {sigstore}, which a server publishes: keep secret keys elsewhere (default ~/.local/share/u7s/keys)\n", inside.Error);
        Assert.Equal(ExitCodes.Usage, throughLink.ExitCode);
        Assert.Equal([Path.Combine(sigstore, "keys")], Directory.GetFileSystemEntries(sigstore, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Generate_BadArguments_AreRejected()
    {
        var bits = await CliAsync("keys", "generate", "--name", "X", "--email", "x@example.test", "--bits", "1024", "--no-passphrase", "--key-dir", KeyDir);
        var email = await CliAsync("keys", "generate", "--name", "X", "--email", "not-an-address", "--bits", "2048", "--no-passphrase", "--key-dir", KeyDir);

        Assert.NotEqual(0, bits.ExitCode);
        Assert.Equal(ExitCodes.Usage, email.ExitCode);
        Assert.False(Directory.Exists(KeyDir));
    }

    [Fact]
    public async Task Import_ProtectedWithPassphraseFile_ThenExport()
    {
        var pass = _temp.Combine("pass.txt");
        await File.WriteAllTextAsync(pass, "sample\n");

        var import = await CliAsync("keys", "import", SampleKeys.PathOf("protected.sec.asc"), "--passphrase-file", pass, "--key-dir", KeyDir);
        var export = await CliAsync("keys", "export", SampleKeys.ProtectedEmail, "--key-dir", KeyDir);

        Assert.Equal(0, import.ExitCode);
        Assert.Contains(SampleKeys.ProtectedFingerprint + " RsaGeneral-3072 protected", import.Output, StringComparison.Ordinal);
        Assert.Equal(0, export.ExitCode);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", export.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Refusals_AreOneLineErrors()
    {
        var wrongPass = _temp.Combine("wrong.txt");
        await File.WriteAllTextAsync(wrongPass, "nope\n");
        var garbage = _temp.Combine("garbage.asc");
        await File.WriteAllTextAsync(garbage, "hello");

        var subkey = await CliAsync("keys", "import", SampleKeys.PathOf("subkey.sec.asc"), "--key-dir", KeyDir);
        var bad = await CliAsync("keys", "import", SampleKeys.PathOf("protected.sec.asc"), "--passphrase-file", wrongPass, "--key-dir", KeyDir);
        var notKey = await CliAsync("keys", "import", garbage, "--key-dir", KeyDir);
        var missing = await CliAsync("keys", "export", "nobody@example.test", "--key-dir", KeyDir);

        Assert.Equal(ExitCodes.Usage, subkey.ExitCode);
        Assert.Contains("signing subkeys", subkey.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, notKey.ExitCode);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        foreach (var r in new[] { subkey, bad, notKey, missing })
        {
            Assert.Single(r.Error.TrimEnd().Split('\n'));
        }

        Assert.Empty((await CliAsync("keys", "list", "--key-dir", KeyDir)).Output);
    }

    [RequiresToolFact("gpg")]
    public async Task GeneratedKey_IsUsableByGnuPg()
    {
        using var gpg = new GnuPgHome();
        var pass = _temp.Combine("pass.txt");
        await File.WriteAllTextAsync(pass, "s3cret-pass\n");
        (await CliAsync("keys", "generate", "--name", "Gpg Check", "--email", "gc@example.test", "--bits", "2048", "--passphrase-file", pass, "--key-dir", KeyDir)).Ensure();
        var secretFile = Directory.GetFiles(KeyDir, "*.sec.asc").Single();

        // The stored secret key imports into GnuPG (podman push --sign-by keeps working) and signs there.
        await gpg.ImportAsync(secretFile);
        var payload = gpg.FilePath("p.txt");
        await File.WriteAllTextAsync(payload, "payload");
        var sign = await gpg.GpgAsync("--passphrase-file", pass, "-u", "gc@example.test", "--output", payload + ".sig", "--sign", payload);
        var verify = await gpg.GpgAsync("--status-fd", "1", "--verify", payload + ".sig");

        Assert.True(sign.ExitCode == 0, sign.StandardError);
        Assert.Contains("VALIDSIG " + Path.GetFileName(secretFile).Split('.')[0], verify.StandardOutput, StringComparison.Ordinal);
    }
}
