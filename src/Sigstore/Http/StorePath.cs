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
}
