namespace U7s.Oci.Policy;

/// <summary>
/// The judge could not read what it judges: the registry (then <see cref="Manifest"/> is null) or, once the
/// manifest was read, the signatures of <see cref="Manifest"/>. The message is one line.
/// </summary>
public sealed class ImageJudgeException : Exception
{
    public ImageJudgeException()
    {
    }

    public ImageJudgeException(string message)
        : base(message)
    {
    }

    public ImageJudgeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageJudgeException(string message, Digest? manifest, Exception innerException)
        : base(message, innerException) => Manifest = manifest;

    /// <summary>The manifest digest the registry serves, when it was read before the failure.</summary>
    public Digest? Manifest { get; }
}
