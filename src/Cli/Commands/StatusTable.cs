using Spectre.Console;
using U7s.Registry.Status;

namespace U7s.Cli.Commands;

/// <summary>
/// <see cref="RegistryStatus"/> as the terminal shows it: a Spectre.Console table on a terminal, one
/// tab-separated line per image otherwise (for grep and awk), then the recent changes.
/// </summary>
internal static class StatusTable
{
    private static readonly string[] Headers = ["REPOSITORY", "TAG", "DIGEST", "SIZE", "PUSHED", "POLICY", "SIGNATURES"];

    /// <summary>Writes the table; <paramref name="verdictsBy"/> says whose policy judged when it is not the registry's.</summary>
    public static void Write(TextWriter output, RegistryStatus status, string? verdictsBy = null)
    {
        var rows = status.Images.Select(i => new[]
        {
            i.Repository, i.Tag, i.Digest, StatusFormat.Size(i.Size), StatusFormat.Time(i.Pushed), i.Verdict,
            i.Signatures.Count == 0 ? "none" : string.Join("; ", i.Signatures.Select(StatusFormat.Signature)),
        }).ToList();
        var events = status.RecentEvents.Select(e => new[]
        {
            StatusFormat.Time(e.Time), e.User ?? "(this host)", e.Action, e.Repository, string.Join(' ', new[] { e.Tag, e.Digest, e.Signature }.Where(s => s is not null)),
        }).ToList();
        var summary = $"{status.Images.Count} image(s); enforcement {TerminalText.Escape(status.Enforcement)}; {verdictsBy ?? (status.HasPolicy ? "verdicts under the registry's node policy" : "no node policy configured")}";
        if (!LoaderConsole.IsTerminal(output))
        {
            output.WriteLine(string.Join('\t', Headers));
            foreach (var row in rows)
            {
                output.WriteLine(string.Join('\t', row.Select(OneLine)));
            }

            output.WriteLine($"# {summary}");
            foreach (var row in events)
            {
                output.WriteLine("# " + string.Join('\t', row.Select(OneLine)));
            }

            return;
        }

        // Only the terminal gets here (IsTerminal above), so the shared console is this output.
        var console = AnsiConsole.Console;
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in Headers)
        {
            table.AddColumn(header);
        }

        foreach (var (row, image) in rows.Zip(status.Images))
        {
            var cells = row.Select(c => new Markup(Markup.Escape(OneLine(c)))).ToArray();
            cells[5] = new Markup($"[{(image.Allowed ? "green" : "red")}]{Markup.Escape(OneLine(row[5]))}[/]");
            table.AddRow(cells);
        }

        console.Write(table);
        console.WriteLine(summary);
        if (events.Count > 0)
        {
            var changes = new Table().Border(TableBorder.Simple).Title("recent changes");
            foreach (var header in new[] { "TIME", "USER", "ACTION", "REPOSITORY", "TAG OR DIGEST" })
            {
                changes.AddColumn(header);
            }

            foreach (var row in events)
            {
                changes.AddRow(row.Select(c => Markup.Escape(OneLine(c))).ToArray());
            }

            console.Write(changes);
        }
    }

    // Every value may be a server's or a publisher's (a hostile user id or claimed identity): tabs and line breaks
    // would forge rows, escapes would drive the terminal, bidi overrides would reorder what is shown.
    private static string OneLine(string value) => TerminalText.Escape(value);
}
