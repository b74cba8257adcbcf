using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Signing;

/// <summary>
/// The keys a verification trusts: keyring blobs (armored or binary, several keys each) and the
/// primary fingerprints they hold. As in containers/image 5.23 only primary fingerprints are trusted:
/// a signature made by a subkey of a listed key is still "not accepted" (SPEC §2.2).
/// </summary>
public sealed class TrustedKeyring
{
    private TrustedKeyring(IReadOnlyList<ReadOnlyMemory<byte>> keyrings, IReadOnlySet<string> primaryFingerprints)
    {
        Keyrings = keyrings;
        PrimaryFingerprints = primaryFingerprints;
    }

    public IReadOnlyList<ReadOnlyMemory<byte>> Keyrings { get; }

    /// <summary>Upper-case hex fingerprints of the primary keys.</summary>
    public IReadOnlySet<string> PrimaryFingerprints { get; }

    /// <summary>Reads every keyring; MUST throw <see cref="OpenPgpException"/> when one cannot be read (a policy naming a broken key file is an error).</summary>
    public static TrustedKeyring Load(IOpenPgp openPgp, IEnumerable<byte[]> keyrings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(openPgp);
        ArgumentNullException.ThrowIfNull(keyrings);
        var blobs = new List<ReadOnlyMemory<byte>>();
        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        foreach (var keyring in keyrings)
        {
            foreach (var key in openPgp.ReadPublicKeys(keyring, now))
            {
                fingerprints.Add(key.Fingerprint);
            }

            blobs.Add(keyring);
        }

        return new TrustedKeyring(blobs, fingerprints);
    }
}
