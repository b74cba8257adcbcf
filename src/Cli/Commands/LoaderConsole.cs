using Spectre.Console;
using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>
/// Output of the loader verbs: a Spectre.Console progress bar (bytes, rate, current image) and
/// tables when stdout is a terminal; otherwise a short plain log (see <see cref="PlainLoadProgress"/>)
/// and one aligned line per row, which reads well in a file and greps well.
/// </summary>
internal static class LoaderConsole
{
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    public static async Task<T> RunWithProgressAsync<T>(TextWriter output, string title, Func<IProgress<LoadProgress>, Task<T>> run)
    {
        if (!IsTerminal(output))
        {
            await output.WriteLineAsync(title);
            return await run(new PlainLoadProgress(output));
        }

        var result = default(T);
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                result = await run(new SpectreLoadProgress(task));
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result!;
    }

    /// <summary>
    /// The rows as a table on the terminal; otherwise one line per row, columns padded to their
    /// widest cell and separated by two spaces, no header (each cell says what it is).
    /// </summary>
    public static void WriteRows(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        if (IsTerminal(output))
        {
            var table = new Table().AddColumns([.. headers.Select(h => new TableColumn(h).NoWrap())]);
            foreach (var row in rows)
            {
                table.AddRow([.. row.Select(Markup.Escape)]);
            }

            AnsiConsole.Write(table);
            return;
        }

        var widths = Enumerable.Range(0, headers.Count).Select(c => rows.Count == 0 ? 0 : rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
