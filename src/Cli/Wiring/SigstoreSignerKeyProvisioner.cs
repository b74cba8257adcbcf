using U7s.Cluster;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Cluster.Users;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;

namespace U7s.Cli.Wiring;

/// <summary>
/// <see cref="ISignerKeyProvisioner"/> on U7s's own key store, the one <c>u7s keys</c> and
/// <c>u7s sign</c> use (SPEC §2.3): the key lives in the imagemaker's
/// <c>~/.local/share/u7s/keys</c> (0700, the secret file <c>&lt;FINGERPRINT&gt;.sec.asc</c> 0600, both owned by
/// the user; under a staging root, inside that tree), generated in batch as an unprotected primary key of kind
/// <paramref name="key"/> (default RSA 3072, SPEC §2.2) with no subkey, and its armored public key is
/// published to <c>/var/sigstore/keys/&lt;user&gt;.pgp</c>.
/// <para>
/// The key directory is in the user's home, so root reads and writes it by descriptor only
/// (<see cref="UserConfigWriter"/>): a symlink or FIFO the user put there is refused, never followed, and the new
/// secret is created 0600 by root, renamed into place and given to the user with <c>fchown</c>.
/// </para>
/// </summary>
internal sealed class SigstoreSignerKeyProvisioner(IProcessRunner runner, TimeProvider time, KeySpec? key = null, IFileOwnership? ownership = null) : ISignerKeyProvisioner
{
    /// <summary>What <c>create-imagemakeruser</c> generates unless told otherwise (SPEC §2.2: RSA 3072).</summary>
    public static KeySpec DefaultKey { get; } = KeySpec.Rsa(3072);

    /// <summary>The key directory below a home, where <see cref="SignerKeyStore.DefaultDirectory"/> points for that user.</summary>
    public const string KeyDirectoryInHome = ".local/share/u7s/keys";

    private const string SecretSuffix = ".sec.asc";

    private readonly BouncyCastleOpenPgp _openPgp = new();

    public async Task<Cluster.Users.SignerKey> ProvisionAsync(SignerKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accounts = new SystemAccounts(request.Root, runner);
        var user = accounts.FindUser(request.User) ?? throw new ClusterException($"no user {request.User} in {request.Root.Path}/etc/passwd");
        var writer = new NodeFileWriter(request.Root, time, ownership);
        var home = new UserConfigWriter(writer);
        var keyDirectory = $"{request.HomeDirectory.TrimEnd('/')}/{KeyDirectoryInHome}";
        var store = new SignerKeyStore(request.Root.Resolve(keyDirectory), _openPgp, time)
        {
            // A home inside the signature or data tree would put the secret where a server publishes files.
            ServedRoots = [request.Root.Resolve(NodePaths.SigstoreRoot), request.Root.Resolve(NodePaths.DataRoot)],
        };
        try
        {
            store.CheckOutsideServedRoots();
        }
        catch (KeyStoreException e)
        {
            throw new ClusterException($"signing key for {request.User}: {e.Message}", ClusterErrorKind.Refused);
        }

        home.EnsureDirectory(user, keyDirectory, FileModes.Mode0700);

        byte[] secret;
        OpenPgpKeyInfo info;
        bool generated;
        try
        {
            var usable = ReadKeys(writer, keyDirectory)
                .Where(k => k.Info.Emails.Contains(request.Email, StringComparer.Ordinal) && SignerKeyStore.ProblemWith(k.Info) is null)
                .ToList();
            switch (usable.Count)
            {
                case 0:
                    (secret, info) = Generate(request);
                    await home.WriteBytesAsync(user, $"{keyDirectory}/{info.Fingerprint}{SecretSuffix}", secret, FileModes.Mode0600, cancellationToken);
                    generated = true;
                    break;
                case 1:
                    (secret, info) = usable[0];
                    generated = false;
                    break;
                default:
                    throw new ClusterException($"several usable keys for {request.Email} in {keyDirectory}: {string.Join(", ", usable.Select(k => k.Info.Fingerprint))}; remove all but one");
            }
        }
        catch (Exception e) when (e is KeyStoreException or OpenPgpException)
        {
            throw new ClusterException($"signing key for {request.User}: {e.Message}", e);
        }

        var published = NodePaths.PublicKey(request.User);
        var armored = _openPgp.ExportPublicKey(secret, info.Fingerprint, armored: true);
        await writer.WriteBytesAsync(published, armored, FileModes.Mode0644, cancellationToken);
        return new Cluster.Users.SignerKey(info.Fingerprint, published, generated, System.Text.Encoding.ASCII.GetString(armored));
    }

    // Every key of every *.sec.asc in the user's key directory, read by descriptor (a link or FIFO there is refused).
    private List<(byte[] Secret, OpenPgpKeyInfo Info)> ReadKeys(NodeFileWriter writer, string keyDirectory)
    {
        var keys = new List<(byte[], OpenPgpKeyInfo)>();
        foreach (var name in writer.EntriesOrNull(keyDirectory) ?? [])
        {
            if (name.EndsWith(SecretSuffix, StringComparison.Ordinal) && writer.ReadBytesOrNull($"{keyDirectory}/{name}") is { } bytes)
            {
                keys.AddRange(_openPgp.ReadSecretKeys(bytes, time.GetUtcNow()).Select(i => (bytes, i)));
            }
        }

        return keys;
    }

    // As `u7s keys generate` does it, in memory: the store's own file I/O would follow links in the user's home.
    private (byte[] Secret, OpenPgpKeyInfo Info) Generate(SignerKeyRequest request)
    {
        if (OpenPgpKeyInfo.EmailOf(request.Email) != request.Email || request.Email.Contains('<', StringComparison.Ordinal))
        {
            throw new KeyStoreException($"'{request.Email}' is not an e-mail address");
        }

        var generated = _openPgp.GenerateSecretKey(new KeyGenerationRequest(request.User, request.Email, key ?? DefaultKey, null, time.GetUtcNow()));
        var info = _openPgp.ReadSecretKeys(generated, time.GetUtcNow()).Single();
        if (SignerKeyStore.ProblemWith(info) is { } problem)
        {
            throw new KeyStoreException(problem);
        }

        return (_openPgp.ExportSecretKey(generated, info.Fingerprint, armored: true), info);
    }
}
