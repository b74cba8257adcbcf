using U7s.Loader.Archive;
using U7s.Loader.Layout;
using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>After the pass: layout presence and every descriptor (SPEC §1.5 rows 7, 8, 10).</summary>
internal sealed partial class ArchiveLoader
{
    private static List<ResolvedImage> Resolve(LoadState state, ArchiveReadSummary summary)
    {
        var arch = state.Request.Architecture;
        if (!summary.ArchitectureFound)
        {
            var found = summary.TopLevelNames.Count == 0 ? "nothing" : string.Join(", ", summary.TopLevelNames.Select(n => n + "/"));
            throw new LoadException(LoadErrorKind.MissingArchitecture, $"the archive has no '{arch}/' directory (it holds {found})");
        }

        if (state.Images is null)
        {
            throw new LoadException(LoadErrorKind.InvalidLayout, $"{arch}/index.json is missing from the archive");
        }

        if (!state.LayoutSeen)
        {
            throw new LoadException(LoadErrorKind.InvalidLayout, $"{arch}/oci-layout is missing from the archive");
        }

        var images = new List<ResolvedImage>();
        foreach (var (descriptor, image) in state.Images)
        {
            var manifests = new List<ResolvedManifest>();
            var blobs = new List<Digest>();
            ResolveManifest(state, descriptor, image.Source.Value, manifests, blobs, depth: 0);
            images.Add(new ResolvedImage(image, descriptor, manifests, blobs.Distinct().ToList()));
        }

        return images;
    }

    private static void ResolveManifest(LoadState state, Descriptor descriptor, string what, List<ResolvedManifest> manifests, List<Digest> blobs, int depth)
    {
        if (!MediaTypes.IsManifest(descriptor.MediaType))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: unsupported manifest media type '{descriptor.MediaType}'");
        }

        var record = Present(state, descriptor, $"manifest of {what}");
        if (record.Content is null && record.SpoolPath is not null && record.Size <= MaxDocumentBytes)
        {
            // Kept on disk because the in-memory budget for documents was used up.
            record.Content = File.ReadAllBytes(record.SpoolPath);
        }

        if (record.Content is null)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: manifest {record.Digest} is not a JSON document of at most {MaxDocumentBytes} bytes");
        }

        var document = ManifestDocument.Parse(record.Content, $"{what}: manifest {record.Digest}");
        if (document.MediaType is not null ? document.MediaType != descriptor.MediaType : document.IsIndex != MediaTypes.IsIndex(descriptor.MediaType))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: manifest {record.Digest} has mediaType '{document.MediaType}', the descriptor says '{descriptor.MediaType}'");
        }

        if (document.SchemaVersion != 2)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: manifest {record.Digest} has schemaVersion {document.SchemaVersion}, expected 2");
        }

        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            if (depth > 0 || document.Manifests is not { Count: > 0 } children)
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: image index {record.Digest} is nested or empty");
            }

            foreach (var child in children)
            {
                ResolveManifest(state, child, what, manifests, blobs, depth + 1);
            }
        }
        else
        {
            if (document.Config is null)
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: manifest {record.Digest} has no config");
            }

            blobs.Add(Present(state, document.Config, $"config of {what}").Digest);
            foreach (var layer in document.Layers ?? [])
            {
                blobs.Add(Present(state, layer, $"layer of {what}").Digest);
            }
        }

        if (!manifests.Any(m => m.Digest == record.Digest))
        {
            manifests.Add(new ResolvedManifest(record.Digest, descriptor.MediaType, record.Content));
        }
    }

    private static BlobRecord Present(LoadState state, Descriptor descriptor, string what)
    {
        if (!Digest.TryParse(descriptor.Digest, out var digest))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: invalid digest '{descriptor.Digest}'");
        }

        if (!state.Blobs.TryGetValue(digest, out var record))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: blob {digest} is missing from the archive");
        }

        if (record.Size != descriptor.Size)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"{what}: blob {digest} has {record.Size} bytes, the descriptor says {descriptor.Size}");
        }

        return record;
    }
}
