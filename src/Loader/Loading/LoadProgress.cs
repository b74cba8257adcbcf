namespace U7s.Loader.Loading;

/// <summary>A progress report: phase, compressed bytes read of the total, and what is being worked on.</summary>
internal sealed record LoadProgress(string Phase, long CompressedBytes, long CompressedTotal, string? Current);
