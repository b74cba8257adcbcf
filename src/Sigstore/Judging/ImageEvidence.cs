using U7s.Sigstore.Manifests;

namespace U7s.Sigstore.Judging;

/// <summary>
/// What a node reads to judge a pull: the manifest the registry serves and the manifests whose signatures count,
/// <see cref="Levels"/>: the manifest itself, or, for an index, each platform manifest it lists (in its order).
/// </summary>
public sealed record ImageEvidence(FetchedManifest Manifest, bool IsIndex, IReadOnlyList<ManifestSignatures> Levels);
