namespace U7s.Testing;

/// <summary>The checkout the tests were built from: the folder holding <c>U7s.sln</c> above the test assembly.</summary>
public static class TestRepository
{
    /// <summary>The checkout's root, or null when the tests run outside one.</summary>
    public static string? RootOrNull()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "U7s.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public static string Root => RootOrNull() ?? throw new InvalidOperationException("the tests run outside a checkout");

    /// <summary>The lines of the first <c>```sh</c> block after the line <paramref name="heading"/> in the checkout's README.</summary>
    public static IReadOnlyList<string> ReadmeBlock(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        var open = start < 0 ? -1 : readme.IndexOf("```sh\n", start, StringComparison.Ordinal);
        if (open < 0)
        {
            throw new InvalidOperationException($"README.md has no sh block after {heading}");
        }

        open += "```sh\n".Length;
        return readme[open..readme.IndexOf("```\n", open, StringComparison.Ordinal)].TrimEnd('\n').Split('\n');
    }

    /// <summary>
    /// A bash script that runs README lines with the built <c>u7s</c> first on PATH (in place of the block's
    /// <c>dotnet build</c> line), temp directories under <paramref name="work"/>, and every background job stopped at exit.
    /// </summary>
    public static string WalkthroughScript(string work, IEnumerable<string> lines) => string.Join('\n', [
        $"work='{work}'",
        "mkdir -p \"$work/bin\" \"$work/tmp\"",
        $"printf '#!/bin/sh\\nexec dotnet %s \"$@\"\\n' '{U7sProcess.Dll}' > \"$work/bin/u7s\"; chmod 0755 \"$work/bin/u7s\"",
        "export PATH=\"$work/bin:$PATH\" TMPDIR=\"$work/tmp\" DOTNET_NOLOGO=1",
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
        .. lines.Where(l => !l.StartsWith("dotnet build ", StringComparison.Ordinal)),
        string.Empty,
    ]);
}
