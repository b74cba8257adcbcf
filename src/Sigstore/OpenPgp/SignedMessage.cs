using Org.BouncyCastle.Bcpg.OpenPgp;

namespace U7s.Sigstore.OpenPgp;

/// <summary>What <see cref="SignedMessageReader"/> found in a message.</summary>
internal sealed class SignedMessage
{
    public List<PgpSignature> Signatures { get; } = [];

    /// <summary>The literal data (the signed payload), null when the message has none.</summary>
    public byte[]? Content { get; set; }

    public int OnePassCount { get; set; }

    public int Packets { get; set; }

    public bool WasCompressed { get; set; }

    /// <summary>Bytes after the end of the compressed stream inside the compressed packet; not part of the message.</summary>
    public long TrailingBytes { get; set; }

    public bool IsEmpty => Signatures.Count == 0 && Content is null && OnePassCount == 0;
}
