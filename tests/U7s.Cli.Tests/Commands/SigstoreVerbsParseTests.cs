namespace U7s.Cli.Tests.Commands;

/// <summary>Parse-only checks of the signing verbs: required options and validators, no side effects.</summary>
public sealed class SigstoreVerbsParseTests
{
    [Theory]
    [InlineData("keys generate --email a@example.test --no-passphrase")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --passphrase-file /x")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --bits 1024")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --bits 3001")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm ed448")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm ed25519 --bits 3072")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm rsa3072 --bits 4096")]
    [InlineData("keys export a@example.test --secret --publish")]
    [InlineData("create-imagemakeruser im --key-algorithm dsa2048")]
    [InlineData("keys import")]
    [InlineData("keys export")]
    [InlineData("sign registry.local/a:1")]
    [InlineData("verify")]
    [InlineData("verify registry.local/a:1 --lookaside ftp://x")]
    [InlineData("sign registry.local/a:1 --key k --registry-url not-a-url")]
    public void Parse_InvalidArguments_ReportErrors(string line) =>
        Assert.NotEmpty(CliApp.BuildRoot().Parse(line).Errors);

    [Theory]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --bits 3072 --key-dir /k --publish --sigstore-root /s --user im")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm ed25519")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm RSA3072 --bits 3072")]
    [InlineData("keys generate --name A --email a@example.test --no-passphrase --algorithm rsa --bits 2048")]
    [InlineData("keys export a@example.test --secret -o secret.asc")]
    [InlineData("create-imagemakeruser im --key-algorithm ed25519")]
    [InlineData("keys import key.asc --passphrase-file p.txt")]
    [InlineData("keys list --key-dir /k")]
    [InlineData("keys export a@example.test -o out.asc")]
    [InlineData("sign registry.local/a:1 --key a@example.test --registry-url http://127.0.0.1:5000")]
    [InlineData("verify registry.local/a:1 --policy p.json --keyring a.pgp --keyring b.pgp --lookaside http://sigstore.local:81/sigstore/")]
    public void Parse_ValidArguments_HaveNoErrors(string line) =>
        Assert.Empty(CliApp.BuildRoot().Parse(line).Errors);

    [Fact]
    public async Task Invoke_BadUrl_IsOneLineUsageError()
    {
        var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["verify", "registry.local/a:1", "--lookaside", "ftp://x"], new StringWriter(), stderr, CancellationToken.None);

        Assert.NotEqual(0, exit);
        Assert.Contains("--lookaside", stderr.ToString(), StringComparison.Ordinal);
    }
}
