using U7s.Cli.Commands;
using U7s.Loader.Signing;
using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Loading;

/// <summary>
/// The loader's <see cref="IImageSigner"/> over U7s's own keys: the imagemaker's key from
/// <c>--key-dir</c> (selected by exact e-mail or fingerprint), unlocked once, signing with
/// <see cref="ImageSigner"/> into <c>&lt;sigstore-root&gt;/sigstore</c> (SPEC §2.2-2.4). Re-runs
/// find the equivalent signature and write nothing.
/// </summary>
internal sealed class SigstoreImageSigner : IImageSigner
{
    private readonly SignerKeyStore _keys;
    private readonly IOpenPgp _pgp;
    private readonly string _selector;
    private readonly string? _passphraseFile;
    private readonly ImageSigner _signer;
    private string? _passphrase;
    private SignerKey? _key;
    private string? _description;

    private SigstoreImageSigner(SignerKeyStore keys, IOpenPgp pgp, string selector, string? passphraseFile, string? promptedPassphrase, ImageSigner signer)
    {
        _keys = keys;
        _pgp = pgp;
        _selector = selector;
        _passphraseFile = passphraseFile;
        _passphrase = promptedPassphrase;
        _signer = signer;
    }

    /// <summary>
    /// Builds the signer. When the key is protected, no passphrase file is given and stdin is a
    /// terminal, the passphrase is asked here, once, before any progress display starts; every
    /// other check happens in <see cref="PrepareAsync"/>.
    /// </summary>
    public static IImageSigner Create(SignerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var pgp = new BouncyCastleOpenPgp();
        var keys = new SignerKeyStore(settings.KeyDirectory, pgp, TimeProvider.System);
        string? prompted = null;
        if (settings.PassphraseFile is null && !Console.IsInputRedirected && TrySelect(keys, settings.Email) is { Info.IsProtected: true } stored)
        {
            prompted = TerminalPassphrase.Read($"Passphrase for key {stored.Info.Fingerprint} ({settings.Email}): ");
        }

        var store = new SignatureStore(Wiring.SigstoreTrees.Open(settings.SigstoreRoot));
        return new SigstoreImageSigner(keys, pgp, settings.Email, settings.PassphraseFile, prompted, new ImageSigner(pgp, store, TimeProvider.System, SignCommand.Creator));
    }

    public async Task<PreparedSigner> PrepareAsync(CancellationToken cancellationToken)
    {
        var stored = _keys.Select(_selector);
        if (_passphraseFile is not null)
        {
            using var reader = File.OpenText(_passphraseFile);
            _passphrase = await reader.ReadLineAsync(cancellationToken) ?? string.Empty;
        }

        _key = _keys.Unlock(stored, stored.Info.IsProtected ? _passphrase : null);
        CheckCanSign(_key);
        _description = $"{stored.Info.Emails.FirstOrDefault(e => e == _selector) ?? stored.Info.Emails[0]} ({stored.Info.Fingerprint})";
        return new PreparedSigner(_key.Fingerprint, _description);
    }

    public async Task<SignatureResult> SignAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var key = _key ?? throw new InvalidOperationException("PrepareAsync must succeed before signing");
        var outcome = await _signer.SignAsync(reference, manifestDigest, key, cancellationToken);
        return new SignatureResult(_description!, outcome.Index, Existing: !outcome.Created);
    }

    /// <summary>
    /// Signs a probe payload and verifies it with the key's own public part, so a key that cannot
    /// make signatures nodes accept stops the load before anything is pushed, not after.
    /// </summary>
    private void CheckCanSign(SignerKey key)
    {
        var probeDigest = Digest.Compute("u7s signer check"u8);
        var payload = new SignaturePayload("registry.local/u7s/signer-check:probe", probeDigest, SignCommand.Creator, 0).ToJsonBytes();
        string? reason;
        try
        {
            var signature = _pgp.Sign(payload, key.SecretKey, key.Fingerprint, key.Passphrase, SignatureHash.Sha256, TimeProvider.System.GetUtcNow());
            var trusted = TrustedKeyring.Load(_pgp, [key.PublicKey], TimeProvider.System.GetUtcNow());
            var check = new SignatureVerifier(_pgp, TimeProvider.System).Check(signature, trusted, probeDigest, _ => true, CancellationToken.None);
            reason = check.IsAccepted ? null : check.Reason;
        }
        catch (OpenPgpException e)
        {
            reason = e.Message;
        }

        if (reason is not null)
        {
            throw new KeyStoreException($"key {key.Fingerprint} cannot make signatures that verify: {reason}");
        }
    }

    private static StoredKey? TrySelect(SignerKeyStore keys, string selector)
    {
        try
        {
            return keys.Select(selector);
        }
        catch (Exception e) when (e is KeyStoreException or OpenPgpException or IOException or UnauthorizedAccessException)
        {
            // PrepareAsync reports the same problem as the one-line refusal.
            return null;
        }
    }
}
