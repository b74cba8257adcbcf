using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>A layer as the source manifest describes it.</summary>
internal sealed record PlannedLayer(Digest Digest, long Size, string MediaType);
