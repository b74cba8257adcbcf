using System.Runtime.InteropServices;

namespace U7s.Native;

/// <summary>Path questions only the C library answers.</summary>
public static class FilePaths
{
    /// <summary><c>realpath(3)</c>: the canonical path with every symlink resolved; null when it cannot be resolved.</summary>
    public static string? RealPathOrNull(string path) => Libc.RealPathOrNull(path);

    /// <summary>
    /// What <c>statx(2)</c> says of <paramref name="path"/>: of the name itself when <paramref name="followLinks"/> is
    /// false (a symlink is a symlink), of what it names otherwise. Null when nothing has that path (or a component
    /// on the way is not a directory); any other failure throws <see cref="IOException"/>.
    /// </summary>
    public static EntryStatus? StatusOrNull(string path, bool followLinks)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Libc.StatX(path, followLinks ? 0 : Libc.AtSymlinkNoFollow) is { } status)
        {
            return status;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is Libc.ENoEnt or Libc.ENotDir ? null : throw Libc.Error(errno, $"cannot stat '{path}'");
    }
}
