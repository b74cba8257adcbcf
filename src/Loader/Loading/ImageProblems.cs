namespace U7s.Loader.Loading;

/// <summary>Many images failing for the same reason, said in one line: each cause once, then the images it hits.</summary>
internal static class ImageProblems
{
    public static string Format(IEnumerable<(string Image, string Reason)> problems) =>
        string.Join("; ", problems
            .GroupBy(p => OneLine(p.Reason), StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({Images([.. g.Select(p => p.Image)])})"));

    private static string Images(List<string> images) => images.Count switch
    {
        1 => images[0],
        2 => $"{images[0]} and {images[1]}",
        _ => $"{images[0]} and {images.Count - 1} other images",
    };

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
