namespace U7s.Loader.Names;

/// <summary>The architectures an archive may hold (podsec's <c>all</c>, SPEC §1.1).</summary>
internal static class Architectures
{
    public static IReadOnlyList<string> All { get; } = ["amd64", "arm64", "arm", "ppc64le", "386"];

    public static bool IsKnown(string? architecture) => architecture is not null && All.Contains(architecture);

    /// <summary>Expands <c>all</c> and comma lists; null when a name is unknown or the list is empty.</summary>
    public static IReadOnlyList<string>? ParseList(string value)
    {
        if (value == "all")
        {
            return All;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        return names.Length > 0 && names.All(IsKnown) ? names : null;
    }
}
