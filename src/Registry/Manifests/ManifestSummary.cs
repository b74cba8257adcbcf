using U7s.Oci;

namespace U7s.Registry.Manifests;

/// <summary>
/// What a stored manifest adds up to: its media type, its own size, the size of everything it
/// references (config and layers; for an index, its platform manifests' totals) and, for an index,
/// the digests it lists.
/// </summary>
internal sealed record ManifestSummary(string MediaType, long ManifestBytes, long TotalBytes, IReadOnlyList<Digest> Children);
