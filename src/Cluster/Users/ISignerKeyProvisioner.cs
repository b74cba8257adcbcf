namespace U7s.Cluster.Users;

/// <summary>
/// Generates or reuses an imagemaker's OpenPGP signing key (SPEC §2.3) and publishes its public part.
/// The CLI implements it on U7s's own per-user key store (<c>~/.local/share/u7s/keys</c>, the one
/// <c>u7s keys</c> and <c>u7s sign</c> use); tests that need a GnuPG-held key use a gpg one.
/// The cluster verbs only call it.
/// </summary>
public interface ISignerKeyProvisioner
{
    /// <summary>
    /// Contract:
    /// <list type="bullet">
    /// <item>Reuse: if the user's keyring already holds a usable key whose user ID e-mail is exactly
    /// <see cref="SignerKeyRequest.Email"/> (primary key can sign, not expired, not revoked), it MUST be
    /// reused (<see cref="SignerKey.Generated"/> false); several matches MUST fail rather than pick one.</item>
    /// <item>Generate: otherwise create, without a tty or prompt, an RSA (3072 default, at least 2048)
    /// primary key with signing capability, a self-signed user ID <c>Name &lt;email&gt;</c> and NO
    /// signing subkey, owned by the user (secret part readable only by it).</item>
    /// <item>Publish: write the ASCII-armored public key of exactly that fingerprint (not "the first
    /// key with that e-mail") to <c>&lt;root&gt;/var/sigstore/keys/&lt;user&gt;.pgp</c>, mode 0644,
    /// atomically (temp file + rename), creating nothing else in that directory.</item>
    /// <item>Return the primary fingerprint, the node path of the published key and the armored key
    /// itself (from the keyring, not read back from the published file).</item>
    /// <item>MUST throw <see cref="ClusterException"/> with a one-line reason on failure, and MUST
    /// NOT log or return secret key material or passphrases.</item>
    /// </list>
    /// </summary>
    Task<SignerKey> ProvisionAsync(SignerKeyRequest request, CancellationToken cancellationToken);
}
