namespace U7s.Loader.Archive;

/// <summary>Validates and normalises tar entry names before anything looks at them.</summary>
internal static class EntryPath
{
    /// <summary>
    /// Returns the name without <c>./</c>, empty components or a trailing slash, or an error text
    /// for absolute names and names with a <c>..</c> component (never extracted, but refused so
    /// a crafted archive cannot alias layout files).
    /// </summary>
    public static bool TryNormalize(string name, out string normalized, out string? error)
    {
        normalized = string.Empty;
        error = null;
        if (name.StartsWith('/'))
        {
            error = $"absolute path '{name}'";
            return false;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            error = "entry name with a NUL character";
            return false;
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part == "..")
            {
                error = $"path with '..' '{name}'";
                return false;
            }

            if (part.Length > 0 && part != ".")
            {
                parts.Add(part);
            }
        }

        normalized = string.Join('/', parts);
        return true;
    }
}
