namespace U7s.Sigstore.OpenPgp;

/// <summary>Hashes U7s signs with; SHA-1 is never emitted (Sequoia-based clients reject it, SPEC §2.2).</summary>
public enum SignatureHash
{
    Sha256,
    Sha512,
}
