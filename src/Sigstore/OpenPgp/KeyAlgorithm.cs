namespace U7s.Sigstore.OpenPgp;

/// <summary>Public-key algorithms U7s generates signer keys with.</summary>
public enum KeyAlgorithm
{
    /// <summary>RSA (OpenPGP algorithm 1), the default: every containers/image build verifies it.</summary>
    Rsa,

    /// <summary>Ed25519 as GnuPG 2.2/2.4 writes it: EdDSA (algorithm 22) on curve Ed25519, a v4 key.</summary>
    Ed25519,
}
