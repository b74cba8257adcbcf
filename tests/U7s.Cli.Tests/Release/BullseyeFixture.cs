using U7s.Cli.Tests.Commands;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The signed-pull setting with every <c>u7s</c> run inside a <see cref="BullseyeRoot"/> of
/// <see cref="Arch"/>: <c>u7s serve</c> from the unpacked release (listening on the host's loopback,
/// where the host's skopeo reaches it), and every other verb there too.
/// </summary>
public abstract class BullseyeFixture(string arch) : SignedPullFixture
{
    private BullseyeRoot? _root;

    public string Arch => arch;

    public BullseyeRoot Root => _root ?? throw new InvalidOperationException("the root is made when the server starts");

    protected override bool Skipped =>
        base.Skipped || !Environment.IsPrivilegedProcess || ReleaseArtifacts.SkipReasonFor(arch) is not null
        || Tool.Find("unshare") is null || Tool.Find("chroot") is null || (arch == "arm64" && Tool.Find("qemu-aarch64-static") is null);

    protected override async Task<U7sProcess> StartServerAsync()
    {
        // The fixture's folder and the sample keys keep their host paths inside the root.
        _root = await BullseyeRoot.CreateAsync(arch, Temp.Path, Path.GetDirectoryName(SampleKeys.PathOf("signer.sec.asc"))!);
        return await U7sProcess.StartAsync(_root.Command(), Temp.Combine("data"), SigstoreRoot, new Dictionary<string, string>());
    }

    public override async Task<CliResult> CliAsync(params string[] args)
    {
        var result = await Root.RunAsync(args);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _root?.Dispose();
    }
}
