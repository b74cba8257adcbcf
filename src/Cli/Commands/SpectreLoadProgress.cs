using Spectre.Console;
using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>Drives a Spectre.Console progress task: compressed bytes read, and what is being done.</summary>
internal sealed class SpectreLoadProgress(ProgressTask task) : IProgress<LoadProgress>
{
    public void Report(LoadProgress value)
    {
        if (value.CompressedTotal > 0)
        {
            task.MaxValue = value.CompressedTotal;
            task.Value = value.CompressedBytes;
        }

        var position = value.Count > 0 ? $" {value.Done}/{value.Count}" : string.Empty;
        var current = value.Current is null ? string.Empty : " " + Shorten(value.Current);
        task.Description = Markup.Escape(value.Phase + position + current);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : "…" + text[^59..];
}
