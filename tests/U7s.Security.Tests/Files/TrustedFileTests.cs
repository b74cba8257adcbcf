using System.Diagnostics;
using U7s.Security.Files;

namespace U7s.Security.Tests.Files;

/// <summary>The ownership rule of files that grant rights, on real files (the tests run as root, so chown works).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TrustedFileTests : IDisposable
{
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0755 = Mode0644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private readonly string _dir = Directory.CreateTempSubdirectory("u7s-trusted-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RootOwnedFile_InRootOwnedDirectory_Passes_AndSoDoesAMissingOne()
    {
        var file = Write("signers.json", Mode0644);

        Assert.Null(TrustedFile.Problem(file, "X"));
        Assert.Null(TrustedFile.Problem(Path.Combine(_dir, "absent", "signers.json"), "X"));
    }

    [Fact]
    public void GroupOrWorldWritableFile_Fails()
    {
        var group = Write("group.json", Mode0644 | UnixFileMode.GroupWrite);
        var world = Write("world.json", Mode0644 | UnixFileMode.OtherWrite);

        Assert.Contains("not group- or world-writable", TrustedFile.Problem(group, "Registry:Auth:Signers"), StringComparison.Ordinal);
        Assert.StartsWith("Registry:Auth:Signers '", TrustedFile.Problem(world, "Registry:Auth:Signers"), StringComparison.Ordinal);
    }

    [Fact]
    public void GroupWritableDirectory_Fails_EvenWhileTheFileIsMissing()
    {
        var file = Write("signers.json", Mode0644);
        File.SetUnixFileMode(_dir, Mode0755 | UnixFileMode.GroupWrite);

        Assert.Contains($"directory '{_dir}'", TrustedFile.Problem(file, "X"), StringComparison.Ordinal);
        Assert.Contains($"directory '{_dir}'", TrustedFile.Problem(Path.Combine(_dir, "later.json"), "X"), StringComparison.Ordinal);
    }

    [Fact]
    public void FileOwnedBySomeoneElse_Fails()
    {
        var file = Write("signers.json", Mode0644);
        Chown("12345", file);

        Assert.Contains("uid 12345", TrustedFile.Problem(file, "X"), StringComparison.Ordinal);
    }

    /// <summary>The dated policy.json link create-policy writes: root's link to root's file passes.</summary>
    [Fact]
    public void Symlink_OnlyRootCouldMake_ToAFileOnlyRootCanChange_Passes()
    {
        Write("policy_2024-05-23_05:40:07", Mode0644);
        var link = Path.Combine(_dir, "policy.json");
        File.CreateSymbolicLink(link, "policy_2024-05-23_05:40:07");

        Assert.Null(TrustedFile.Problem(link, "X"));
    }

    [Fact]
    public void Symlink_ToAFileInADirectoryOthersCanWrite_Fails()
    {
        var shared = Path.Combine(_dir, "keys");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, Mode0755 | UnixFileMode.GroupWrite);
        File.WriteAllText(Path.Combine(shared, "alice.pgp"), "key");
        File.SetUnixFileMode(Path.Combine(shared, "alice.pgp"), Mode0644);
        var link = Path.Combine(_dir, "alice.pgp");
        File.CreateSymbolicLink(link, Path.Combine(shared, "alice.pgp"));

        Assert.Contains($"directory '{shared}'", TrustedFile.Problem(link, "X"), StringComparison.Ordinal);
    }

    [Fact]
    public void Symlink_InADirectoryOthersCanWrite_Fails_AndSoDoesARelativePath()
    {
        var file = Write("signers.json", Mode0644);
        var shared = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, Mode0755 | UnixFileMode.OtherWrite);
        var link = Path.Combine(shared, "link.json");
        File.CreateSymbolicLink(link, file);

        Assert.Contains($"directory '{shared}'", TrustedFile.Problem(link, "X"), StringComparison.Ordinal);
        Assert.Contains("absolute path", TrustedFile.Problem("signers.json", "X"), StringComparison.Ordinal);
    }

    private string Write(string name, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "{}");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static void Chown(string owner, string path)
    {
        using var chown = Process.Start("chown", [owner, path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
