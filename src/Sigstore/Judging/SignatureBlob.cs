namespace U7s.Sigstore.Judging;

/// <summary>
/// One <c>signature-N</c> as a judge read it: its bytes (no more than a signature that could verify may hold, so a
/// longer one shows as too long), or, when containers/image would refuse to read it at all (over 4 MiB), why.
/// </summary>
public sealed record SignatureBlob(int Index, byte[]? Content, string? Problem = null);
