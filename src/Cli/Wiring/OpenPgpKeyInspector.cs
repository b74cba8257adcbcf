using U7s.Cluster.Node;
using U7s.Sigstore.OpenPgp;

namespace U7s.Cli.Wiring;

/// <summary><see cref="IKeyInspector"/> on U7s's OpenPGP code: the fingerprints and user ids create-policy prints and pins.</summary>
internal sealed class OpenPgpKeyInspector : IKeyInspector
{
    private readonly BouncyCastleOpenPgp _openPgp = new();

    public IReadOnlyList<KeyIdentity> Inspect(byte[] keyring)
    {
        try
        {
            var keys = _openPgp.ReadPublicKeys(keyring, DateTimeOffset.UtcNow);
            return keys.Count > 0
                ? keys.Select(k => new KeyIdentity(k.Fingerprint, k.UserIds.Count > 0 ? k.UserIds[0] : string.Empty)).ToList()
                : throw new InvalidDataException("no public key in it");
        }
        catch (OpenPgpException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
