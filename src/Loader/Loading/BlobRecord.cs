using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>
/// A verified blob of the archive and where its bytes are now: in memory (a small JSON document),
/// in the per-load spool directory, or already in the sink under some repositories.
/// </summary>
internal sealed class BlobRecord(Digest digest, long size)
{
    public Digest Digest { get; } = digest;

    public long Size { get; } = size;

    public byte[]? Content { get; set; }

    public string? SpoolPath { get; set; }

    public HashSet<string> StoredIn { get; } = new(StringComparer.Ordinal);

    /// <summary>What publishing this blob took: the most costly step of any repository it went to.</summary>
    public BlobOutcome Outcome { get; private set; }

    public void Record(BlobOutcome outcome)
    {
        if (outcome > Outcome)
        {
            Outcome = outcome;
        }
    }
}
