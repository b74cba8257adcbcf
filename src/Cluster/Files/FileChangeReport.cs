namespace U7s.Cluster.Files;

/// <summary>The report lines node verbs print: one per file that changed, nothing for unchanged files.</summary>
internal static class FileChangeReport
{
    public static void Note(this List<string> report, FileChange change)
    {
        if (change.Changed)
        {
            report.Add(change.ToString());
        }
    }
}
