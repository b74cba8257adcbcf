namespace U7s.Sigstore.Signing;

/// <summary>The stored signature index; <see cref="Created"/> is false when an equivalent signature already existed.</summary>
public sealed record SignOutcome(int Index, bool Created, string Identity, string SignerFingerprint);
