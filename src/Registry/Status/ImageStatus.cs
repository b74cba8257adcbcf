using U7s.Registry.Access;

namespace U7s.Registry.Status;

/// <summary>One tagged image on the status page: where it is, what it weighs, and what the node policy makes of its signatures.</summary>
/// <param name="Size">The manifest with everything it references (config and layers; for an index, all its platforms).</param>
/// <param name="Pushed">When this tag got its digest in this repository; null when the store does not know.</param>
/// <param name="Verdict">The policy's verdict in one line (<see cref="SignatureReport.Summary"/>).</param>
public sealed record ImageStatus(
    string Repository,
    string Tag,
    string Digest,
    string MediaType,
    long Size,
    DateTimeOffset? Pushed,
    bool Allowed,
    bool RequiresSignature,
    string Verdict,
    IReadOnlyList<SignatureStatus> Signatures);
