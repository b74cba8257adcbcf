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
    private readonly string _selector;
    private readonly string? _passphraseFile;
    private readonly ImageSigner _signer;
    private string? _passphrase;
    private SignerKey? _key;
    private string? _description;

    private SigstoreImageSigner(SignerKeyStore keys, string selector, string? passphraseFile, string? promptedPassphrase, ImageSigner signer)
    {
        _keys = keys;
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
        return new SigstoreImageSigner(keys, settings.Email, settings.PassphraseFile, prompted, new ImageSigner(pgp, store, TimeProvider.System, SignCommand.Creator));
    }

    public async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        var stored = _keys.Select(_selector);
        if (_passphraseFile is not null)
        {
            using var reader = File.OpenText(_passphraseFile);
            _passphrase = await reader.ReadLineAsync(cancellationToken) ?? string.Empty;
        }

        _key = _keys.Unlock(stored, stored.Info.IsProtected ? _passphrase : null);
        _description = $"{stored.Info.Emails.FirstOrDefault(e => e == _selector) ?? stored.Info.Emails[0]} ({stored.Info.Fingerprint})";
        return _description;
    }

    public async Task<SignatureResult> SignAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var key = _key ?? throw new InvalidOperationException("PrepareAsync must succeed before signing");
        var outcome = await _signer.SignAsync(reference, manifestDigest, key, cancellationToken);
        return new SignatureResult(_description!, outcome.Index, Existing: !outcome.Created);
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
