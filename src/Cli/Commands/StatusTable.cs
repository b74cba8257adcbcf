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

    // The summary's facts and trusted keys, as the page lists them; none from a registry too old to send them.
    private static IEnumerable<string> Facts(RegistryStatus status) =>
        status.Summary is { } summary
            ? StatusFormat.Facts(summary, status.GeneratedAt).Concat(summary.TrustedKeys.Select(k => "trusted key " + StatusFormat.TrustedKey(k)))
            : [];

    /// <summary>Writes the table; <paramref name="verdictsBy"/> says whose policy judged when it is not the registry's.</summary>
    public static void Write(TextWriter output, RegistryStatus status, string? verdictsBy = null, bool events = true)
    {
        // Refused images first (what needs doing), then by repository and tag.
        var images = status.Images.OrderBy(i => i.Allowed).ThenBy(i => i.Repository, StringComparer.Ordinal).ThenBy(i => i.Tag, StringComparer.Ordinal).ToList();
        var rows = images.Select(i => new[]
        {
            i.Repository, i.Tag, i.Digest, StatusFormat.Size(i.Size), StatusFormat.Time(i.Pushed), i.Verdict,
            i.Signatures.Count == 0 ? "none" : string.Join("; ", i.Signatures.Select(StatusFormat.Signature)),
        }).ToList();
        var changes = status.RecentEvents.Where(_ => events).Select(e => new[]
        {
            StatusFormat.Time(e.Time), e.User ?? "(this host)", e.Action, e.Repository, string.Join(' ', new[] { e.Tag, e.Digest, e.Signature }.Where(s => s is not null)),
        }).ToList();
        var refused = images.Count(i => !i.Allowed);
        var summary = $"{images.Count} image(s): {images.Count - refused} accepted, {refused} refused; enforcement {TerminalText.Escape(status.Enforcement)}; {verdictsBy ?? (status.HasPolicy ? "verdicts under the registry's node policy" : "no node policy configured")}";
        if (!LoaderConsole.IsTerminal(output))
        {
            output.WriteLine(string.Join('\t', Headers));
            foreach (var row in rows)
            {
                output.WriteLine(string.Join('\t', row.Select(OneLine)));
            }

            output.WriteLine($"# {summary}");
            foreach (var fact in Facts(status))
            {
                output.WriteLine($"# {OneLine(fact)}");
            }

            foreach (var row in changes)
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

        foreach (var (row, image) in rows.Zip(images))
        {
            var cells = row.Select(c => new Markup(Markup.Escape(OneLine(c)))).ToArray();
            cells[5] = new Markup($"[{(image.Allowed ? "green" : "red")}]{Markup.Escape(OneLine(row[5]))}[/]");
            table.AddRow(cells);
        }

        console.Write(table);
        console.WriteLine(summary);
        foreach (var fact in Facts(status))
        {
            console.WriteLine(OneLine(fact));
        }

        if (changes.Count > 0)
        {
            var recent = new Table().Border(TableBorder.Simple).Title("recent changes");
            foreach (var header in new[] { "TIME", "USER", "ACTION", "REPOSITORY", "TAG OR DIGEST" })
            {
                recent.AddColumn(header);
            }

            foreach (var row in changes)
            {
                recent.AddRow(row.Select(c => Markup.Escape(OneLine(c))).ToArray());
            }

            console.Write(recent);
        }
    }

    // Every value may be a server's or a publisher's (a hostile user id or claimed identity): tabs and line breaks
    // would forge rows, escapes would drive the terminal, bidi overrides would reorder what is shown.
    private static string OneLine(string value) => TerminalText.Escape(value);
}
