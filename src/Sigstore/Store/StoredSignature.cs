namespace U7s.Sigstore.Store;

/// <summary>One <c>signature-N</c> blob as stored.</summary>
public sealed record StoredSignature(int Index, byte[] Content);
