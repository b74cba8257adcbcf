namespace U7s.Sigstore.Http;

/// <summary>Maps a request path onto the store tree without ever leaving it.</summary>
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

    /// <summary>The full path under <paramref name="root"/>, or null if it would escape it.</summary>
    public static string? Resolve(string root, string normalizedPath)
    {
        var relative = normalizedPath.TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var rootWithSlash = root.EndsWith('/') ? root : root + "/";
        return full == root || full.StartsWith(rootWithSlash, StringComparison.Ordinal) ? full : null;
    }
}
