using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>
/// Progress as a short log for pipes and files: the archive read in quarters, then one line per
/// phase ("publishing 12 images"). Never a line per image or blob: the verb lists the images
/// once, in its summary. Writes synchronously, in order.
/// </summary>
internal sealed class PlainLoadProgress(TextWriter output) : IProgress<LoadProgress>
{
    private const int Step = 25;

    private readonly Lock _gate = new();
    private string? _phase;
    private int _lastPercent;

    public void Report(LoadProgress value)
    {
        lock (_gate)
        {
            if (value.Phase != _phase)
            {
                _phase = value.Phase;
                _lastPercent = 0;
                if (value.CompressedTotal == 0)
                {
                    output.WriteLine(value.Count > 0 ? $"{value.Phase} {value.Count} images" : value.Phase);
                }
            }

            if (value.CompressedTotal > 0)
            {
                var percent = (int)(value.CompressedBytes * 100 / value.CompressedTotal) / Step * Step;
                if (percent > _lastPercent)
                {
                    _lastPercent = percent;
                    output.WriteLine($"{value.Phase}: {percent}% of {ByteSize.Format(value.CompressedTotal)}");
                }
            }
        }
    }
}
