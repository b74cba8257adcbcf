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
/// <c>~/.local/share/u7s/keys</c> (0700, the secret file 0600, both owned by the user; under a
/// staging root, inside that tree), generated in batch as an unprotected primary key of kind
/// <paramref name="key"/> (default RSA 3072, SPEC §2.2) with no subkey, and its armored public key is
/// published to <c>/var/sigstore/keys/&lt;user&gt;.pgp</c>.
/// </summary>
internal sealed class SigstoreSignerKeyProvisioner(IProcessRunner runner, TimeProvider time, KeySpec? key = null) : ISignerKeyProvisioner
{
    /// <summary>What <c>create-imagemakeruser</c> generates unless told otherwise (SPEC §2.2: RSA 3072).</summary>
    public static KeySpec DefaultKey { get; } = KeySpec.Rsa(3072);

    /// <summary>The key directory below a home, where <see cref="SignerKeyStore.DefaultDirectory"/> points for that user.</summary>
    public const string KeyDirectoryInHome = ".local/share/u7s/keys";

    private readonly BouncyCastleOpenPgp _openPgp = new();

    public async Task<Cluster.Users.SignerKey> ProvisionAsync(SignerKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accounts = new SystemAccounts(request.Root, runner);
        var user = accounts.FindUser(request.User) ?? throw new ClusterException($"no user {request.User} in {request.Root.Path}/etc/passwd");
        var writer = new NodeFileWriter(request.Root, time);
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

        await new UserConfigWriter(writer, accounts).EnsureDirectoryAsync(user, keyDirectory, FileModes.Mode0700, cancellationToken);

        StoredKey stored;
        bool generated;
        try
        {
            var usable = store.List()
                .Where(k => k.Info.Emails.Contains(request.Email, StringComparer.Ordinal) && SignerKeyStore.ProblemWith(k.Info) is null)
                .ToList();
            switch (usable.Count)
            {
                case 0:
                    stored = store.Generate(request.User, request.Email, key ?? DefaultKey, passphrase: null);
                    generated = true;
                    break;
                case 1:
                    stored = usable[0];
                    generated = false;
                    break;
                default:
                    throw new ClusterException($"several usable keys for {request.Email} in {keyDirectory}: {string.Join(", ", usable.Select(k => k.Info.Fingerprint))}; remove all but one");
            }
        }
        catch (Exception e) when (e is KeyStoreException or OpenPgpException or IOException or UnauthorizedAccessException)
        {
            throw new ClusterException($"signing key for {request.User}: {e.Message}", e);
        }

        if (generated)
        {
            // The store writes as the invoking user (root on a node); the secret belongs to the imagemaker.
            await accounts.SetOwnerAsync(request.Root.ToNodePath(stored.Path), user.Uid, user.Gid, cancellationToken);
        }

        var published = NodePaths.PublicKey(request.User);
        var armored = store.ExportPublic(stored);
        await writer.WriteBytesAsync(published, armored, FileModes.Mode0644, cancellationToken);
        return new Cluster.Users.SignerKey(stored.Info.Fingerprint, published, generated, System.Text.Encoding.ASCII.GetString(armored));
    }
}
