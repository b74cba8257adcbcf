namespace U7s.Cli.Tests.Commands;

/// <summary><c>u7s --help</c> lists each verb's arguments as the verb's own usage line does: optional ones in brackets.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task RootHelp_OptionalAndRepeatedArgumentsMarkedAsInEachVerbsUsage()
    {
        var root = (await CliResult.RunAsync("--help")).Ensure().Output;
        var verb = (await CliResult.RunAsync("load-sign-oci", "--help")).Ensure().Output;

        Assert.Contains("\n  load-sign-oci <archive> <arch> <signer-email> [<registry/path>]  ", root, StringComparison.Ordinal);
        Assert.Contains("\n  save-oci <out> [<arch>] [<image>...]  ", root, StringComparison.Ordinal);
        Assert.Contains(" load-sign-oci <archive> <arch> <signer-email> [<registry/path>] [options]\n", verb, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootHelp_CommandDescriptionsStartInOneColumn()
    {
        var lines = (await CliResult.RunAsync("--help")).Ensure().Output.Split('\n');
        var start = Array.IndexOf(lines, "Commands:");
        var rows = lines[(start + 1)..].TakeWhile(l => l.Length > 0).Where(l => !l.StartsWith("   ", StringComparison.Ordinal)).ToList();

        Assert.Contains(rows, r => r.StartsWith("  demo-archive <out>", StringComparison.Ordinal));
        Assert.Single(rows.Select(r => r.IndexOf("  ", 2, StringComparison.Ordinal) + r[r.IndexOf("  ", 2, StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count()).Distinct());
    }
}
