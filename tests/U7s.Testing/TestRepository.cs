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
}
