namespace U7s.Loader.Saving;

/// <summary>The archives written and the images in each.</summary>
internal sealed record SaveResult(IReadOnlyList<string> Files, IReadOnlyList<SavedImage> Images);
