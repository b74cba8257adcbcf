namespace U7s.Cli.Tests.Commands;

/// <summary>The top level: bad arguments are one line and the usage exit code, help is not an error.</summary>
public sealed class CliAppTests
{
    [Theory]
    [InlineData(new[] { "gc", "--grace", "xx" }, "u7s: --grace 'xx' is not a non-negative time span such as 01:00:00 (u7s gc --help)\n")]
    [InlineData(new[] { "kubeadm", "init", "--pod-network-cidr", "10.0.0.0/8" }, "u7s: Option '--apiserver-advertise-address' is required. (u7s kubeadm init --help)\n")]
    [InlineData(new[] { "keys", "list", "--bogus", "x" }, "u7s: Unrecognized command or argument '--bogus'.; Unrecognized command or argument 'x'. (u7s keys list --help)\n")]
    public async Task ParseError_OneLineUsageExitNoHelpText(string[] args, string expected)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(expected, stderr.ToString());
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public async Task Help_WithAnotherError_StillHelp()
    {
        var stdout = new StringWriter();

        var code = await CliApp.RunAsync(["gc", "--grace", "xx", "--help"], stdout, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("--delete-untagged", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void KeysGenerate_WithoutBits_DefaultSizeAccepted()
    {
        var parse = CliApp.BuildRoot().Parse(["keys", "generate", "--name", "x", "--email", "x@example.test", "--no-passphrase"]);

        Assert.Empty(parse.Errors);
    }
}
