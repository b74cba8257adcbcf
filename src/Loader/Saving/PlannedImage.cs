using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>
/// One image of one architecture after its manifest and config are read and before its layers are: the manifest as
/// served (single-platform), the config, and the layer descriptors still to fetch.
/// </summary>
internal sealed record PlannedImage(
    SaveImage Image, ImageSource Source, string Architecture, byte[] Manifest, string MediaType, Digest ConfigDigest, string ConfigMediaType, byte[] Config,
    IReadOnlyList<string> DiffIds, IReadOnlyList<PlannedLayer> Layers);
