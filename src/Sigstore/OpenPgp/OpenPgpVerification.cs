namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// The outcome of <see cref="IOpenPgp.Verify"/>. On success <see cref="Content"/> is the signed
/// literal data and <see cref="SignerFingerprint"/> the fingerprint of the key that made the
/// signature (a subkey's own fingerprint if a subkey signed), <see cref="PrimaryFingerprint"/> that
/// key's primary; <see cref="TrailingBytes"/> counts bytes after the end of the compressed stream,
/// which gpg ignores and so does the check. On failure only <see cref="Error"/> is set, and <see cref="Unreadable"/>
/// when the bytes are no signed OpenPGP message at all (corrupted, truncated, another format), as opposed to a
/// readable signature by an unknown key or a bad one.
/// </summary>
public sealed record OpenPgpVerification(bool IsValid, byte[]? Content, string? SignerFingerprint, string? PrimaryFingerprint, string? Error, long TrailingBytes = 0, bool Unreadable = false)
{
    public static OpenPgpVerification Fail(string error) => new(false, null, null, null, error);

    /// <summary>The bytes do not parse as one signed OpenPGP message.</summary>
    public static OpenPgpVerification Corrupt(string error) => new(false, null, null, null, error, Unreadable: true);

    public static OpenPgpVerification Ok(byte[] content, string signer, string primary, long trailingBytes = 0) => new(true, content, signer, primary, null, trailingBytes);
}
