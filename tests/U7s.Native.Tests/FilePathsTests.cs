namespace U7s.Native.Tests;

public sealed class FilePathsTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-filepaths");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StatusOrNull_Link_ItselfOrWhatItNames()
    {
        var file = _temp.Combine("file");
        File.WriteAllText(file, "abc");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        var link = _temp.Combine("link");
        File.CreateSymbolicLink(link, file);

        var itself = FilePaths.StatusOrNull(link, followLinks: false);
        var target = FilePaths.StatusOrNull(link, followLinks: true);

        Assert.True(itself!.Value.IsSymbolicLink);
        Assert.True(target!.Value.IsRegularFile);
        Assert.Equal(3, target.Value.Length);
        Assert.True(target.Value.IsWritableByOthers);
        Assert.True(target.Value.IsOwnedByUs);
    }

    [Fact]
    public void StatusOrNull_MissingOrUnderAFile_Null()
    {
        File.WriteAllText(_temp.Combine("file"), "x");

        Assert.Null(FilePaths.StatusOrNull(_temp.Combine("missing"), followLinks: false));
        Assert.Null(FilePaths.StatusOrNull(_temp.Combine("file", "below"), followLinks: true));
    }

    [Fact]
    public void StatusOrNull_StickyDirectory_Sticky()
    {
        var directory = _temp.Combine("tmp");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("1777", 8));

        var status = FilePaths.StatusOrNull(directory, followLinks: false)!.Value;

        Assert.True(status.IsDirectory);
        Assert.True(status.IsSticky);
        Assert.True(status.IsWritableByOthers);
        Assert.False(status.IsTrustedDirectory);
    }

    [Fact]
    public void FsyncDirectory_MissingDirectory_NoThrow()
    {
        Durability.FsyncDirectory(_temp.Path);
        Durability.FsyncDirectory(_temp.Combine("missing"));
    }
}
