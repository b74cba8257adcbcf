using U7s.Oci;

namespace U7s.Registry.Manifests;

/// <summary>What the registry needs to know about a manifest; the bytes themselves are kept as received.</summary>
internal sealed record ParsedManifest(
    string MediaType,
    IReadOnlyList<ManifestReference> Blobs,
    IReadOnlyList<ManifestReference> Manifests,
    ManifestReference? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations);
