using U7s.Cluster.Node;
using U7s.Sigstore.OpenPgp;

namespace U7s.Testing;

/// <summary>The cluster verbs' key seam over U7s's own OpenPGP code, for tests that build the services without the CLI.</summary>
public sealed class PgpKeyInspector : IKeyInspector
{
    public IReadOnlyList<KeyIdentity> Inspect(byte[] keyring)
    {
        try
        {
            return new BouncyCastleOpenPgp().ReadPublicKeys(keyring, DateTimeOffset.UtcNow)
                .Select(k => new KeyIdentity(k.Fingerprint, k.UserIds.Count > 0 ? k.UserIds[0] : string.Empty)).ToList() is { Count: > 0 } keys
                ? keys
                : throw new InvalidDataException("no public key in it");
        }
        catch (OpenPgpException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
