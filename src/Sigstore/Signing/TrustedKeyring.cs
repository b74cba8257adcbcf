using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Signing;

/// <summary>
/// The keys a verification trusts: keyring blobs (armored or binary, several keys each) and the
/// primary fingerprints they hold. As in containers/image 5.23 only primary fingerprints are trusted:
/// a signature made by a subkey of a listed key is still "not accepted" (SPEC §2.2).
/// </summary>
public sealed class TrustedKeyring
{
    private TrustedKeyring(IReadOnlyList<ReadOnlyMemory<byte>> keyrings, IReadOnlySet<string> primaryFingerprints, IReadOnlyList<string> problems)
    {
        Keyrings = keyrings;
        PrimaryFingerprints = primaryFingerprints;
        Problems = problems;
    }

    public IReadOnlyList<ReadOnlyMemory<byte>> Keyrings { get; }

    /// <summary>Upper-case hex fingerprints of the primary keys.</summary>
    public IReadOnlySet<string> PrimaryFingerprints { get; }

    /// <summary>Why some keyrings were left out (unreadable, or only keys of algorithms this implementation does not know).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Keyrings a caller has read already (each readable, <paramref name="primaryFingerprints"/> the primary
    /// keys they hold), so they are not parsed again.
    /// </summary>
    internal static TrustedKeyring Create(IReadOnlyList<ReadOnlyMemory<byte>> keyrings, IReadOnlySet<string> primaryFingerprints) =>
        new(keyrings, primaryFingerprints, []);

    /// <summary>
    /// Reads every keyring. A keyring that cannot be read is left out and named in
    /// <see cref="Problems"/> (leaving a key out only ever trusts less). MUST throw
    /// <see cref="OpenPgpException"/> when keyrings were given and none of them is readable.
    /// </summary>
    public static TrustedKeyring Load(IOpenPgp openPgp, IEnumerable<byte[]> keyrings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(openPgp);
        ArgumentNullException.ThrowIfNull(keyrings);
        var blobs = new List<ReadOnlyMemory<byte>>();
        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var given = 0;
        foreach (var keyring in keyrings)
        {
            given++;
            try
            {
                foreach (var key in openPgp.ReadPublicKeys(keyring, now))
                {
                    fingerprints.Add(key.Fingerprint);
                }

                blobs.Add(keyring);
            }
            catch (OpenPgpException e)
            {
                problems.Add($"keyring {given}: {e.Message}");
            }
        }

        if (given > 0 && blobs.Count == 0)
        {
            throw new OpenPgpException(string.Join("; ", problems));
        }

        return new TrustedKeyring(blobs, fingerprints, problems);
    }
}
