using Spectre.Console;
using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>
/// Output of the loader verbs: a Spectre.Console progress bar (bytes, rate, current image) when
/// stdout is a terminal, plain lines otherwise; tables rendered without colour for pipes.
/// </summary>
internal static class LoaderConsole
{
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    public static async Task<T> RunWithProgressAsync<T>(TextWriter output, string title, Func<IProgress<LoadProgress>, Task<T>> run)
    {
        if (!IsTerminal(output))
        {
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

    /// <summary>A console that writes to <paramref name="output"/>, plain unless it is the terminal.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = IsTerminal(output);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            // Digests are 71 characters: never wrap them in logs.
            console.Profile.Width = 250;
        }

        return console;
    }

    /// <summary>Parses a size such as <c>64G</c>, <c>512MiB</c> or <c>1048576</c>; null when invalid.</summary>
    public static long? ParseSize(string text)
    {
        var value = text.Trim();
        var multiplier = 1L;
        var units = new (string Suffix, long Factor)[] { ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10) };
        foreach (var (suffix, factor) in units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = factor;
                value = value[..^suffix.Length];
                break;
            }
        }

        return long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number > 0 && number <= long.MaxValue / multiplier
            ? number * multiplier
            : null;
    }
}
