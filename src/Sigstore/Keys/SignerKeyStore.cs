using System.Text;
using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Keys;

/// <summary>
/// One imagemaker's signing keys, owned by that account (SPEC §2.3):
/// <code>
/// &lt;key dir&gt;/                 0700, default ~/.local/share/u7s/keys
/// └── &lt;FINGERPRINT&gt;.sec.asc   0600, armored transferable secret key as GnuPG exports it
/// </code>
/// Keys are selected by exact e-mail or full fingerprint; a key that is expired, revoked, has no
/// e-mail user ID or has a signing-capable subkey is refused as a signer.
/// </summary>
public sealed class SignerKeyStore(string directory, IOpenPgp openPgp, TimeProvider time)
{
    private const string Suffix = ".sec.asc";

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>
    /// Trees a server publishes (the signature store root, the registry data root): secret keys MUST NOT be
    /// stored below any of them, also not through a symlink. Checked before every write.
    /// </summary>
    public IReadOnlyList<string> ServedRoots { get; init; } = [];

    /// <summary><c>$XDG_DATA_HOME/u7s/keys</c>, else <c>~/.local/share/u7s/keys</c>.</summary>
    public static string DefaultDirectory()
    {
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data))
        {
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(data, "u7s", "keys");
    }

    /// <summary>Every stored key, by fingerprint order.</summary>
    public IReadOnlyList<StoredKey> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var keys = new List<StoredKey>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Suffix).Order(StringComparer.Ordinal))
        {
            var info = openPgp.ReadSecretKeys(File.ReadAllBytes(path), time.GetUtcNow());
            keys.AddRange(info.Select(i => new StoredKey(i, path)));
        }

        return keys;
    }

    /// <summary>
    /// Stores every secret key in <paramref name="secretKeys"/> after checking it is a usable signer
    /// (see <see cref="ProblemWith"/>). MUST store nothing when any key is refused; a key already
    /// present is replaced by the new export (same fingerprint).
    /// </summary>
    public IReadOnlyList<StoredKey> Import(ReadOnlySpan<byte> secretKeys, string? passphrase)
    {
        var infos = openPgp.ReadSecretKeys(secretKeys, time.GetUtcNow());
        foreach (var info in infos)
        {
            if (ProblemWith(info) is { } problem)
            {
                throw new KeyStoreException(problem);
            }

            if (info.IsProtected && passphrase is not null && !openPgp.CheckPassphrase(secretKeys, info.Fingerprint, passphrase))
            {
                throw new KeyStoreException($"the passphrase does not unlock key {info.Fingerprint}");
            }
        }

        EnsureDirectory();
        var stored = new List<StoredKey>();
        foreach (var info in infos)
        {
            var path = Path.Combine(Directory, info.Fingerprint + Suffix);
            WriteSecret(path, openPgp.ExportSecretKey(secretKeys, info.Fingerprint, armored: true));
            stored.Add(new StoredKey(info, path));
        }

        return stored;
    }

    /// <summary>Generates a new primary key of kind <paramref name="key"/> (SPEC §2.3) and stores it.</summary>
    public StoredKey Generate(string name, string email, KeySpec key, string? passphrase)
    {
        if (OpenPgpKeyInfo.EmailOf(email) != email || email.Contains('<', StringComparison.Ordinal))
        {
            throw new KeyStoreException($"'{email}' is not an e-mail address");
        }

        var secret = openPgp.GenerateSecretKey(new KeyGenerationRequest(name, email, key, passphrase, time.GetUtcNow()));
        return Import(secret, passphrase).Single();
    }

    /// <summary>
    /// The one key whose fingerprint (40 hex, any case) or e-mail (exact, without <c>&lt;&gt;</c>)
    /// is <paramref name="selector"/>. MUST throw when none or several match, or when the key is
    /// not a usable signer.
    /// </summary>
    public StoredKey Select(string selector)
    {
        ArgumentException.ThrowIfNullOrEmpty(selector);
        var keys = List();
        var matches = keys.Where(k => string.Equals(k.Info.Fingerprint, selector, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = keys.Where(k => k.Info.Emails.Contains(selector, StringComparer.Ordinal)).ToList();
        }

        var key = matches.Count switch
        {
            0 => throw new KeyStoreException($"no signing key for '{selector}' in {Directory}"),
            1 => matches[0],
            _ => throw new KeyStoreException($"several keys match '{selector}' ({string.Join(", ", matches.Select(m => m.Info.Fingerprint))}): select one by fingerprint"),
        };
        if (ProblemWith(key.Info) is { } problem)
        {
            throw new KeyStoreException(problem);
        }

        return key;
    }

    /// <summary>Reads the secret key and checks the passphrase; the result can sign.</summary>
    public SignerKey Unlock(StoredKey key, string? passphrase)
    {
        ArgumentNullException.ThrowIfNull(key);
        var secret = File.ReadAllBytes(key.Path);
        if (key.Info.IsProtected && passphrase is null)
        {
            throw new KeyStoreException($"key {key.Info.Fingerprint} is protected: give a passphrase file");
        }

        if (!openPgp.CheckPassphrase(secret, key.Info.Fingerprint, passphrase ?? string.Empty))
        {
            throw new KeyStoreException($"bad passphrase for key {key.Info.Fingerprint}");
        }

        return new SignerKey(key.Info.Fingerprint, secret, openPgp.ExportPublicKey(secret, key.Info.Fingerprint, armored: false), passphrase);
    }

    /// <summary>
    /// The armored secret key of <paramref name="key"/> as stored (protected by its passphrase, or in the
    /// clear), in the form gpg imports and signs with (see <see cref="IOpenPgp.ExportSecretKey"/>).
    /// </summary>
    public byte[] ExportSecret(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return openPgp.ExportSecretKey(File.ReadAllBytes(key.Path), key.Info.Fingerprint, armored: true);
    }

    /// <summary>The armored public key of <paramref name="key"/>, as published under <c>/var/sigstore/keys/</c>.</summary>
    public byte[] ExportPublic(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return openPgp.ExportPublicKey(File.ReadAllBytes(key.Path), key.Info.Fingerprint, armored: true);
    }

    /// <summary>Why <paramref name="key"/> cannot sign images, or null when it can.</summary>
    public static string? ProblemWith(OpenPgpKeyInfo key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.IsRevoked)
        {
            return $"key {key.Fingerprint} is revoked";
        }

        if (key.IsExpired)
        {
            return $"key {key.Fingerprint} expired at {key.ExpiresAt:u}";
        }

        if (key.Algorithm == OpenPgpKeyInfo.Ed25519Rfc9580)
        {
            return $"key {key.Fingerprint} is Ed25519 in RFC 9580 form (algorithm 27), which U7s cannot sign with and GnuPG 2.2 cannot verify; use GnuPG's Ed25519 (algorithm 22) or RSA";
        }

        if (key.Emails.Count == 0)
        {
            return $"key {key.Fingerprint} has no user ID with an e-mail address";
        }

        if (key.SigningSubkeyFingerprints.Count > 0)
        {
            // gpg and skopeo would sign with the subkey, which containers/image 5.23 rejects (SPEC §2.3).
            return $"key {key.Fingerprint} has signing subkeys ({string.Join(", ", key.SigningSubkeyFingerprints)}); use a primary-only key";
        }

        if (key.IsRsa && key.Bits < KeySpec.MinRsaBits)
        {
            return $"key {key.Fingerprint} is RSA-{key.Bits}; at least {KeySpec.MinRsaBits} bits are required";
        }

        return null;
    }

    /// <summary>Throws <see cref="KeyStoreException"/> when <see cref="Directory"/> lies inside one of <see cref="ServedRoots"/>.</summary>
    public void CheckOutsideServedRoots()
    {
        var resolved = ResolvedPath(Directory);
        foreach (var root in ServedRoots)
        {
            var served = ResolvedPath(root);
            if (resolved == served || resolved.StartsWith(served.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                throw new KeyStoreException($"{Directory} lies inside {root}, which a server publishes: keep secret keys elsewhere (default ~/.local/share/u7s/keys)");
            }
        }
    }

    private void EnsureDirectory()
    {
        CheckOutsideServedRoots();
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    /// <summary>
    /// Writes a secret key file: created 0600 in a temp file beside <paramref name="path"/>, flushed,
    /// then renamed over it, so the secret is never readable by others (not even briefly, nor through
    /// an older file's looser mode) and a crash leaves the old file or the new one.
    /// </summary>
    internal static void WriteSecret(string path, byte[] content)
    {
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".tmp-{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary><paramref name="path"/> with every symlink of its existing part resolved; the part that does not exist yet appended as given.</summary>
    private static string ResolvedPath(string path)
    {
        var existing = Path.GetFullPath(path);
        var missing = new Stack<string>();
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }

        return Path.Join([U7s.Native.FilePaths.RealPathOrNull(existing) ?? existing, .. missing]);
    }

    /// <summary>One line for listings: fingerprint, algorithm, protection, user IDs, and why the key cannot sign if so.</summary>
    public static string Describe(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return
        new StringBuilder()
            .Append(key.Info.Fingerprint).Append(' ')
            .Append(key.Info.Algorithm).Append(key.Info.IsRsa ? $"-{key.Info.Bits}" : string.Empty)
            .Append(key.Info.IsProtected ? " protected " : " unprotected ")
            .Append(string.Join(", ", key.Info.UserIds))
            .Append(ProblemWith(key.Info) is { } p ? $" [unusable: {p}]" : string.Empty)
            .ToString();
    }
}
