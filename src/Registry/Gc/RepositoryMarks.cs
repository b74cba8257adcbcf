using U7s.Oci;

namespace U7s.Registry.Gc;

/// <summary>One repository's manifests as marking found them, and which of them are live so far.</summary>
internal sealed class RepositoryMarks(RepositoryName repository, IReadOnlyList<Digest> held)
{
    public RepositoryName Repository { get; } = repository;

    /// <summary>Every manifest the repository held when it was listed.</summary>
    public IReadOnlySet<Digest> Held { get; } = held.ToHashSet();

    /// <summary>Manifests found live: reached from a tag, or used within the grace period, and what they keep.</summary>
    public HashSet<Digest> Live { get; } = [];

    /// <summary>Manifests nothing keeps (so far), in listing order.</summary>
    public IEnumerable<Digest> Dead => Held.Where(d => !Live.Contains(d));
}
