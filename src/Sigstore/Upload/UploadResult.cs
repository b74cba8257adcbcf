namespace U7s.Sigstore.Upload;

/// <summary>
/// What a signature upload came to: an HTTP status (201 stored, 200 already present, 4xx refused
/// with nothing stored), a one-line message, and the stored index when there is one.
/// </summary>
public sealed record UploadResult(int Status, string Message, int? Index = null);
