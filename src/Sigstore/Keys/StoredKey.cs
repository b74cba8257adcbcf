using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Keys;

/// <summary>A secret key in a <see cref="SignerKeyStore"/>: what it is and the file that holds it.</summary>
public sealed record StoredKey(OpenPgpKeyInfo Info, string Path);
