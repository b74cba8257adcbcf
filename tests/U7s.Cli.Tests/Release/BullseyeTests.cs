using System.Text.Json;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The amd64 release on the oldest glibc it is for (Debian 11's 2.31; ALT p10 has 2.32): in a root that
/// holds only bullseye's runtime libraries and the unpacked tarball, <c>u7s serve</c> answers a signed
/// pull by the host's skopeo, and the imagemaker's verbs work. A program linked against the host's
/// newer glibc does not start there, which is what the release's sysroot link prevents.
/// </summary>
public sealed class BullseyeTests(BullseyeAmd64Fixture fixture) : IClassFixture<BullseyeAmd64Fixture>
{
    [RequiresReleaseFact("skopeo", "unshare", "chroot")]
    public async Task Release_WithOnlyBullseyesLibraries_ServesASignedPull()
    {
        await fixture.AssertSignedPullAsync("bullseye");
    }

    [RequiresReleaseFact("skopeo", "unshare", "chroot")]
    public async Task Release_WithOnlyBullseyesLibraries_GeneratesAKey_WritesAndLoadsAnArchive_ThePullVerifies()
    {
        var keys = fixture.Temp.Combine("bullseye-keys");
        var archive = fixture.Temp.Combine("amd64.tar.xz");
        var published = Path.Combine(fixture.SigstoreRoot, "keys", "bullseye.pgp");
        var policy = fixture.Temp.Combine("bullseye-policy.json");
        await File.WriteAllTextAsync(policy, "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":" + JsonSerializer.Serialize(published) + "}]}");

        var generate = await fixture.CliAsync(
            "keys", "generate", "--name", "Bullseye Imagemaker", "--email", "bullseye@example.test", "--no-passphrase", "--bits", "2048",
            "--key-dir", keys, "--publish", "--sigstore-root", fixture.SigstoreRoot, "--user", "bullseye");
        var demo = await fixture.CliAsync("demo-archive", archive, "--kubernetes", "v1.26.3");
        // Straight into the data root the server in the same root serves.
        var load = await fixture.CliAsync(
            "load-sign-oci", archive, "amd64", "bullseye@example.test", $"{fixture.RegistryHost}/k8s-c10f1",
            "--data", fixture.Temp.Combine("data"), "--key-dir", keys, "--sigstore-root", fixture.SigstoreRoot, "--policy", policy);
        var pull = await fixture.PullAsync($"{fixture.RegistryHost}/k8s-c10f1/pause:3.9", policy: fixture.PolicyTrusting(published));

        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.True(File.Exists(published));
        Assert.True(demo.ExitCode == 0, demo.Error);
        Assert.True(load.ExitCode == 0, load.Error);
        Assert.Equal(12, load.Output.Split('\n').Count(l => l.EndsWith("  signature-1  verified", StringComparison.Ordinal)));
        Assert.True(pull.ExitCode == 0, pull.StandardError);
    }

    [RequiresReleaseFact("skopeo", "unshare", "chroot", "clang")]
    public async Task HostLinkedProgram_DoesNotStartThere()
    {
        // The smallest C program, linked as a host build would be: against this machine's newer glibc.
        var source = fixture.Temp.Combine("hello.c");
        await File.WriteAllTextAsync(source, "int main(void) { return 0; }\n");
        (await ExternalProcess.RunAsync("clang", ["-o", fixture.Temp.Combine("host-linked"), source])).EnsureSuccess("clang");

        var onHost = await ExternalProcess.RunAsync(fixture.Temp.Combine("host-linked"), []);
        var inRoot = await fixture.Root.RunProgramAsync(fixture.Temp.Combine("host-linked"));
        var release = await fixture.Root.RunAsync("--version");

        Assert.Equal(0, onHost.ExitCode);
        Assert.NotEqual(0, inRoot.ExitCode);
        Assert.Matches("version `GLIBC_2\\.3[2-9]' not found", inRoot.StandardError);
        Assert.True(release.ExitCode == 0, release.StandardError);
        Assert.StartsWith(ReleaseArtifacts.Version, release.StandardOutput, StringComparison.Ordinal);
    }
}
