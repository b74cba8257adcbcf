using U7s.Oci;

namespace U7s.Testing;

/// <summary>A manifest written by <see cref="OciLayoutBuilder"/>; <see cref="Children"/> for an index.</summary>
public sealed record BuiltManifest(Digest Digest, long Size, IReadOnlyList<BuiltManifest> Children);
