namespace U7s.Sigstore.Store;

/// <summary>Where a signature ended up; <see cref="Created"/> is false when an identical one was already there.</summary>
public sealed record AppendResult(int Index, bool Created);
