namespace U7s.Native;

/// <summary>Path questions only the C library answers.</summary>
public static class FilePaths
{
    /// <summary><c>realpath(3)</c>: the canonical path with every symlink resolved; null when it cannot be resolved.</summary>
    public static string? RealPathOrNull(string path) => Libc.RealPathOrNull(path);
}
