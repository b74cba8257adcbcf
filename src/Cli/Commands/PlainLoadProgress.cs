using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>
/// Progress as plain lines for logs and pipes: each phase change, each image being published,
/// signed or verified, and the read position in 10 % steps. Writes synchronously, in order.
/// </summary>
internal sealed class PlainLoadProgress(TextWriter output) : IProgress<LoadProgress>
{
    private readonly Lock _gate = new();
    private string? _phase;
    private string? _current;
    private int _lastPercent = -1;

    public void Report(LoadProgress value)
    {
        lock (_gate)
        {
            if (value.Phase != _phase)
            {
                _phase = value.Phase;
                _current = null;
                output.WriteLine($"{value.Phase}...");
            }

            if (value.Phase == "reading" && value.CompressedTotal > 0)
            {
                var percent = (int)(value.CompressedBytes * 10 / value.CompressedTotal) * 10;
                if (percent > _lastPercent)
                {
                    _lastPercent = percent;
                    output.WriteLine($"  {percent}% of {value.CompressedTotal} bytes");
                }
            }
            else if (value.Phase is not "reading" and not "sending" && value.Current is not null && value.Current != _current)
            {
                _current = value.Current;
                output.WriteLine($"  {value.Current}");
            }
        }
    }
}
