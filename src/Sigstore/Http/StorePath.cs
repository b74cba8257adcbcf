namespace U7s.Sigstore.Http;

/// <summary>Maps a request path onto the served tree without ever leaving it.</summary>
internal static class StorePath
{
    /// <summary>
    /// Collapses repeated slashes (clients with a base URL ending in <c>/</c> send <c>//</c>, and nginx
    /// merges them) and decodes <c>%40</c>/<c>%3D</c>; null when the path is not acceptable.
    /// </summary>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return "/";
        }

        // The common case, a plain path (every signature GET): nothing to decode, merge or refuse, so it is its own
        // normal form and costs no split and join.
        if (IsPlain(path))
        {
            return path;
        }

        var decoded = Uri.UnescapeDataString(path);
        if (decoded.Contains('\0', StringComparison.Ordinal) || decoded.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = decoded.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
        {
            return null;
        }

        var joined = "/" + string.Join('/', parts);
        return decoded.EndsWith('/') && parts.Length > 0 ? joined + "/" : joined;
    }

    /// <summary>True when <paramref name="path"/> (starting with '/') has no escape, no empty, <c>.</c> or <c>..</c> segment, no NUL or backslash.</summary>
    private static bool IsPlain(string path) =>
        !path.AsSpan().ContainsAny('%', '\\', '\0') && !path.Contains("//", StringComparison.Ordinal) && !path.Contains("/.", StringComparison.Ordinal);
}
