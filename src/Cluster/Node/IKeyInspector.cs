namespace U7s.Cluster.Node;

/// <summary>
/// Reads the public keys of a keyring file (armored or binary), so a node can print and pin the fingerprints it
/// trusts. The CLI implements it on U7s's OpenPGP code; the cluster verbs only call it.
/// </summary>
public interface IKeyInspector
{
    /// <summary>Every key of <paramref name="keyring"/>. MUST throw <see cref="InvalidDataException"/> when it holds no readable public key.</summary>
    IReadOnlyList<KeyIdentity> Inspect(byte[] keyring);
}
