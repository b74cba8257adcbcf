namespace U7s.Loader.Loading;

/// <summary>
/// A progress report: the phase, compressed bytes read of the total, what is being worked on, and
/// for per-image phases (publishing, signing, verifying) its position: item <c>Done</c> of <c>Count</c>.
/// </summary>
internal sealed record LoadProgress(string Phase, long CompressedBytes, long CompressedTotal, string? Current, int Done = 0, int Count = 0);
