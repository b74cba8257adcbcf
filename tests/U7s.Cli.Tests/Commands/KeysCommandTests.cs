using System.Text;
using U7s.Cli;
using U7s.Sigstore.OpenPgp;

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
    public async Task ImportAndList_AUserIdWithControlCharacters_IsPrintedEscaped()
    {
        // A key handed over from elsewhere names its own user id; it must not clear the screen or forge a line.
        var secret = new U7s.Sigstore.OpenPgp.BouncyCastleOpenPgp().GenerateSecretKey(
            new U7s.Sigstore.OpenPgp.KeyGenerationRequest("Evil\u001b[2J\nDEADBEEF RsaGeneral-4096 unprotected Admin", "evil@example.test", U7s.Sigstore.OpenPgp.KeySpec.Ed25519, null, DateTimeOffset.UtcNow));
        var file = _temp.Combine("evil.sec.asc");
        await File.WriteAllBytesAsync(file, secret);

        var import = await CliAsync("keys", "import", file, "--key-dir", KeyDir);
        var list = await CliAsync("keys", "list", "--key-dir", KeyDir);

        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, list.ExitCode);
        foreach (var output in new[] { import.Output, list.Output })
        {
            Assert.Single(output.TrimEnd('\n').Split('\n'));
            Assert.Contains(@"Evil\x1b[2J\nDEADBEEF RsaGeneral-4096 unprotected Admin <evil@example.test>", output, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', output);
        }
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

    [Fact]
    public async Task Generate_WithoutBits_MakesTheDocumentedRsa4096Key()
    {
        var generate = await CliAsync("keys", "generate", "--name", "X", "--email", "x@example.test", "--no-passphrase", "--key-dir", KeyDir);

        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.Empty(generate.Error);
        Assert.Contains(" RsaGeneral-4096 unprotected X <x@example.test>", generate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_Ed25519_ListsAsEd25519()
    {
        var generate = await CliAsync("keys", "generate", "--name", "Ed", "--email", "ed@example.test", "--algorithm", "ed25519", "--no-passphrase", "--key-dir", KeyDir);
        var list = await CliAsync("keys", "list", "--key-dir", KeyDir);

        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.Matches("^[0-9A-F]{40} Ed25519 unprotected Ed <ed@example.test>\n$", list.Output);
    }

    [Theory]
    [InlineData("--algorithm", "ed25519", "--bits", "3072", "--bits 3072 contradicts --algorithm ed25519")]
    [InlineData("--algorithm", "rsa3072", "--bits", "4096", "--bits 4096 contradicts --algorithm rsa3072")]
    [InlineData("--algorithm", "ed448", "--no-passphrase", "--no-passphrase", "--algorithm must be rsa<bits> (2048-8192, a multiple of 8) or ed25519, not 'ed448'")]
    [InlineData("--bits", "1024", "--no-passphrase", "--no-passphrase", "--bits: RSA key size 1024 is not between 2048 and 8192")]
    public async Task Generate_AlgorithmAndBitsInvalidOrDisagreeing_AreRefused(string option1, string value1, string option2, string value2, string message)
    {
        string[] extra = option2 == value2 ? [option1, value1, option2] : [option1, value1, option2, value2, "--no-passphrase"];

        var result = await CliAsync(["keys", "generate", "--name", "X", "--email", "x@example.test", "--key-dir", KeyDir, .. extra]);

        // A parse-time validation error, as for the other option checks of the verb.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(KeyDir));
    }

    [Fact]
    public async Task List_MissingDirectory_SaysSoInOneLine_EmptyDirectory_SaysNoKeys()
    {
        var missing = await CliAsync("keys", "list", "--key-dir", KeyDir);
        Directory.CreateDirectory(KeyDir);
        var empty = await CliAsync("keys", "list", "--key-dir", KeyDir);

        // Like sign and export when they find no key: exit 2 and the directory named.
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Equal($"u7s: no key directory {KeyDir} (u7s keys generate or import creates it; --key-dir chooses another)", missing.Error.TrimEnd());
        Assert.Empty(missing.Output);
        Assert.Equal(0, empty.ExitCode);
        Assert.Equal($"no keys in {KeyDir}", empty.Error.TrimEnd());
        Assert.Empty(empty.Output);
    }

    /// <summary>
    /// The imagemaker's key must keep working in gpg (podman push --sign-by): generated by U7s, exported
    /// with <c>keys export --secret</c>, imported into GnuPG 2.2, used there to sign; U7s and gpg both
    /// verify the result. Unprotected keys used to fail in gpg with "Checksum error".
    /// </summary>
    [RequiresToolTheory("gpg")]
    [InlineData("rsa3072", false)]
    [InlineData("rsa3072", true)]
    [InlineData("ed25519", false)]
    [InlineData("ed25519", true)]
    public async Task GeneratedKey_ExportedSecret_SignsInGnuPg_AndBothVerify(string algorithm, bool passphrase)
    {
        using var gpg = new GnuPgHome();
        var pass = _temp.Combine("pass.txt");
        await File.WriteAllTextAsync(pass, "s3cret-pass\n");
        string[] protection = passphrase ? ["--passphrase-file", pass] : ["--no-passphrase"];
        (await CliAsync(["keys", "generate", "--name", "Gpg Check", "--email", "gc@example.test", "--algorithm", algorithm, "--key-dir", KeyDir, .. protection])).Ensure();
        var fingerprint = Path.GetFileName(Directory.GetFiles(KeyDir, "*.sec.asc").Single()).Split('.')[0];
        var exported = _temp.Combine("secret.asc");
        (await CliAsync("keys", "export", "gc@example.test", "--secret", "-o", exported, "--key-dir", KeyDir)).Ensure();
        var publicKey = Encoding.ASCII.GetBytes((await CliAsync("keys", "export", "gc@example.test", "--key-dir", KeyDir)).Ensure().Output);

        await gpg.ImportAsync(exported);
        var payload = gpg.FilePath("p.json");
        await File.WriteAllTextAsync(payload, "{}");
        string[] unlock = passphrase ? ["--passphrase-file", pass] : [];
        var sign = await gpg.GpgAsync([.. unlock, "-u", "gc@example.test", "--output", payload + ".sig", "--sign", payload]);
        var gpgVerify = await gpg.GpgAsync("--status-fd", "1", "--verify", payload + ".sig");
        var pgp = new BouncyCastleOpenPgp();
        var u7sVerify = pgp.Verify(await File.ReadAllBytesAsync(payload + ".sig"), [publicKey], DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True(sign.ExitCode == 0, sign.StandardError);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exported));
        Assert.Contains("VALIDSIG " + fingerprint, gpgVerify.StandardOutput, StringComparison.Ordinal);
        Assert.True(u7sVerify.IsValid, u7sVerify.Error);
        Assert.Equal(fingerprint, u7sVerify.PrimaryFingerprint);
        Assert.Equal("{}"u8.ToArray(), u7sVerify.Content);
    }
}
