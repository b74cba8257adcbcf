namespace U7s.Cluster.Files;

/// <summary>The few modes node files use, named once.</summary>
public static class FileModes
{
    public const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    public const UnixFileMode Mode0775 = Mode0755 | UnixFileMode.GroupWrite;
    public const UnixFileMode Mode2775 = Mode0775 | UnixFileMode.SetGroup;
    public const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode Mode0500 = UnixFileMode.UserRead | UnixFileMode.UserExecute;

    // Node files exist only on Linux; the guards tell the platform analyzer so once, here.
    public static UnixFileMode Get(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : File.GetUnixFileMode(path);

    public static void Set(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        File.SetUnixFileMode(path, mode);
    }

    /// <summary>Formats a mode as four octal digits (<c>2775</c>), as admins read it.</summary>
    public static string ToOctal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
