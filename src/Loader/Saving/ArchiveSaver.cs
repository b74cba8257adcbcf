using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using U7s.Loader.Archive;
using U7s.Loader.Layout;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>
/// Writes images from registries into the archive format the loader reads (SPEC §1.7): one OCI
/// layout per architecture, registry-less ref names, uncompressed layers. Layers already
/// uncompressed keep their bytes and the manifest stays byte-exact (same digest as the source);
/// gzip layers are decompressed into temp files, checked against the config's diff_ids, and the
/// manifest is rewritten as an OCI manifest. Three passes: manifests and configs of every image
/// (an image missing upstream fails the run before any layer is fetched), then every layer into a
/// <see cref="BlobCache"/> (streamed, digest-checked, kept for the next run when this one fails),
/// then the archive, from the cache, to temp names renamed at the end.
/// </summary>
internal sealed class ArchiveSaver(Func<Reference, ImageSource> resolve, IProgress<LoadProgress>? progress = null)
{
    private const string DockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

    /// <summary>Every image from one registry, in the repository its reference names.</summary>
    public ArchiveSaver(RegistryClient source, IProgress<LoadProgress>? progress = null)
        : this(reference => new ImageSource(source, reference.Repository), progress)
    {
    }

    /// <exception cref="LoadException">An image is missing, has no manifest for an architecture, or cannot be converted.</exception>
    public async Task<SaveResult> SaveAsync(SaveRequest request, CancellationToken cancellationToken)
    {
        var output = Path.GetFullPath(request.OutputPath);
        if (File.Exists(output) || Directory.Exists(output))
        {
            throw new LoadException(LoadErrorKind.Usage, $"'{request.OutputPath}' already exists");
        }

        if (request.Architectures.Count == 0 || !request.Architectures.All(Architectures.IsKnown))
        {
            throw new LoadException(LoadErrorKind.UnknownArchitecture, $"unknown architecture in '{string.Join(',', request.Architectures)}' (expected {string.Join(", ", Architectures.All)} or all)");
        }

        var cache = BlobCache.Open(request.CacheDirectory ?? SaveRequest.DefaultCacheDirectory(output));
        var work = request.TemporaryRoot is null
            ? Directory.CreateTempSubdirectory("u7s-save-")
            : Directory.CreateDirectory(Path.Combine(request.TemporaryRoot, $"u7s-save-{Guid.NewGuid():N}"));
        try
        {
            var plans = new List<List<PlannedImage>>();
            foreach (var arch in request.Architectures)
            {
                plans.Add(await PlanArchitectureAsync(arch, request.Images, cache, cancellationToken));
            }

            var (downloaded, bytes, reused) = await DownloadLayersAsync(plans.SelectMany(p => p), cache, cancellationToken);
            var saved = new List<SavedImage>();
            List<string> files;
            if (request.SingleFile)
            {
                await using var writer = new OciArchiveWriter(output, request.Xz);
                foreach (var plan in plans)
                {
                    saved.AddRange(await WriteArchitectureAsync(writer, plan, cache, work.FullName, request.MaxExpandedLayerFloor, cancellationToken));
                }

                await writer.CommitAsync(cancellationToken);
                files = [output];
            }
            else
            {
                var staging = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.tmp");
                Directory.CreateDirectory(staging);
                try
                {
                    foreach (var plan in plans)
                    {
                        await using var writer = new OciArchiveWriter(Path.Combine(staging, $"{plan[0].Architecture}.tar.xz"), request.Xz);
                        saved.AddRange(await WriteArchitectureAsync(writer, plan, cache, work.FullName, request.MaxExpandedLayerFloor, cancellationToken));
                        await writer.CommitAsync(cancellationToken);
                    }

                    Directory.Move(staging, output);
                }
                finally
                {
                    if (Directory.Exists(staging))
                    {
                        Directory.Delete(staging, recursive: true);
                    }
                }

                files = [.. request.Architectures.Select(a => Path.Combine(output, $"{a}.tar.xz"))];
            }

            cache.Delete();
            return new SaveResult(files, saved, downloaded, bytes, reused);
        }
        catch (RegistryException e)
        {
            throw new LoadException(LoadErrorKind.Registry, $"registry error: {e.Message}", e);
        }
        finally
        {
            work.Delete(recursive: true);
            cache.DeleteIfEmpty();
        }
    }

    private async Task<List<PlannedImage>> PlanArchitectureAsync(string arch, IReadOnlyList<SaveImage> images, BlobCache cache, CancellationToken cancellationToken)
    {
        var planned = new List<PlannedImage>();
        var distinct = images.DistinctBy(i => i.RefName).ToList();
        foreach (var image in distinct)
        {
            progress?.Report(new LoadProgress($"reading {arch}", 0, 0, image.Source.ToString(), planned.Count + 1, distinct.Count));
            planned.Add(await PlanAsync(image, arch, cache, cancellationToken));
        }

        return planned;
    }

    /// <summary>Fetches each layer not in the cache (or not intact there) once, however many images and architectures share it.</summary>
    private async Task<(int Downloaded, long Bytes, int Reused)> DownloadLayersAsync(IEnumerable<PlannedImage> plans, BlobCache cache, CancellationToken cancellationToken)
    {
        var missing = new List<(PlannedImage Image, PlannedLayer Layer)>();
        var seen = new HashSet<Digest>();
        var reused = 0;
        foreach (var plan in plans)
        {
            foreach (var layer in plan.Layers.Where(l => seen.Add(l.Digest)))
            {
                if (await cache.FindAsync(layer.Digest, layer.Size, cancellationToken) is null)
                {
                    missing.Add((plan, layer));
                }
                else
                {
                    reused++;
                }
            }
        }

        var total = missing.Sum(m => m.Layer.Size);
        var phase = reused == 0 ? $"downloading {missing.Count} layers" : $"downloading {missing.Count} layers ({reused} already downloaded by an earlier run)";
        progress?.Report(new LoadProgress(phase, 0, 0, null));
        long done = 0;
        foreach (var (plan, layer) in missing)
        {
            var what = $"layer {layer.Digest} of {plan.Image.Source}";
            await DownloadAsync(plan.Source, layer.Digest, layer.Size, cache, what, n => progress?.Report(new LoadProgress(phase, done += n, Math.Max(total, 1), plan.Image.Source.ToString())), cancellationToken);
        }

        return (missing.Count, total, reused);
    }

    /// <summary>One blob into the cache; a transfer that breaks off is a registry error (the run can be repeated), a wrong blob is refused.</summary>
    private static async Task<string> DownloadAsync(ImageSource source, Digest digest, long size, BlobCache cache, string what, Action<long>? copied, CancellationToken cancellationToken)
    {
        try
        {
            await using var blob = await source.Client.OpenBlobAsync(source.Repository, digest, cancellationToken);
            return await cache.AddAsync(digest, size, blob, what, copied, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new LoadException(LoadErrorKind.Registry, $"{what} from {source.Client.BaseUri.GetLeftPart(UriPartial.Authority)}: the download broke off ({e.Message})", e);
        }
    }

    private async Task<List<SavedImage>> WriteArchitectureAsync(OciArchiveWriter writer, List<PlannedImage> plans, BlobCache cache, string work, long maxExpandedFloor, CancellationToken cancellationToken)
    {
        var arch = plans[0].Architecture;
        var prepared = new List<PreparedImage>();
        foreach (var plan in plans)
        {
            prepared.Add(await PrepareAsync(plan, cache, work, maxExpandedFloor, cancellationToken));
        }

        await writer.BeginLayoutAsync(arch, cancellationToken);
        await writer.WriteOciLayoutAsync(arch, cancellationToken);
        await writer.WriteIndexAsync(arch, Index(prepared), cancellationToken);
        var written = new HashSet<Digest>();
        foreach (var image in prepared)
        {
            if (written.Add(image.ManifestDigest))
            {
                await writer.WriteBlobAsync(arch, image.ManifestDigest, image.Manifest, cancellationToken);
            }

            if (written.Add(image.ConfigDigest))
            {
                await writer.WriteBlobAsync(arch, image.ConfigDigest, image.Config, cancellationToken);
            }
        }

        for (var i = 0; i < prepared.Count; i++)
        {
            var image = prepared[i];
            progress?.Report(new LoadProgress($"writing {arch}", 0, 0, image.RefName, i + 1, prepared.Count));
            foreach (var layer in image.Layers.Where(l => written.Add(l.Digest)))
            {
                // Checked once more as it goes in: the archive never holds a blob under another blob's name.
                await using var file = File.OpenRead(layer.Path);
                await using var verifying = new VerifyingReadStream(file, layer.Digest, layer.Size, $"layer {layer.Digest} of {image.RefName}");
                await writer.WriteBlobAsync(arch, layer.Digest, layer.Size, verifying, cancellationToken);
            }
        }

        return [.. prepared.Select(p => new SavedImage(arch, p.RefName, p.ManifestDigest, p.Rewritten))];
    }

    /// <summary>Reads the image's manifest for <paramref name="arch"/> (through an index if the source has one) and its config.</summary>
    private async Task<PlannedImage> PlanAsync(SaveImage image, string arch, BlobCache cache, CancellationToken cancellationToken)
    {
        var source = resolve(image.Source);
        var reference = image.Source.Digest?.ToString() ?? image.Source.Tag?.Value
            ?? throw new LoadException(LoadErrorKind.Usage, $"image '{image.Source}' needs a tag or digest");
        var manifest = await source.Client.GetManifestOrNullAsync(source.Repository, reference, cancellationToken)
            ?? throw new LoadException(LoadErrorKind.Registry, $"image '{image.Source}' not found in {source.Client.BaseUri.GetLeftPart(UriPartial.Authority)}");
        CheckDigest(manifest, image.Source.Digest, image);
        if (MediaTypes.IsIndex(manifest.MediaType))
        {
            var index = ManifestDocument.Parse(manifest.Content, $"index of {image.Source}");
            var child = (index.Manifests ?? []).FirstOrDefault(m => m.Platform is { Os: "linux" } p && p.Architecture == arch && MediaTypes.IsImageManifest(m.MediaType))
                ?? throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image.Source}' has no linux/{arch} manifest");
            var childDigest = Digest.Parse(child.Digest);
            manifest = await source.Client.GetManifestOrNullAsync(source.Repository, childDigest.ToString(), cancellationToken)
                ?? throw new LoadException(LoadErrorKind.Registry, $"manifest {child.Digest} of '{image.Source}' not found");
            CheckDigest(manifest, childDigest, image);
        }

        if (!MediaTypes.IsImageManifest(manifest.MediaType))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image.Source}' has unsupported manifest type '{manifest.MediaType}'");
        }

        var document = ManifestDocument.Parse(manifest.Content, $"manifest of {image.Source}");
        var configDescriptor = document.Config ?? throw new LoadException(LoadErrorKind.InvalidContent, $"manifest of '{image.Source}' has no config");
        var configDigest = Digest.Parse(configDescriptor.Digest);
        var config = await ReadConfigAsync(source, configDigest, configDescriptor.Size, cache, cancellationToken);
        var (configArch, diffIds) = ReadConfig(config, image.Source);
        if (configArch != arch)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image.Source}' is for {configArch}, not {arch}");
        }

        var layers = (document.Layers ?? []).Select(l => new PlannedLayer(Digest.Parse(l.Digest), l.Size, l.MediaType)).ToList();
        return new PlannedImage(image, source, arch, manifest.Content, manifest.MediaType, configDigest, configDescriptor.MediaType, config, diffIds, layers);
    }

    /// <summary>A manifest asked for by digest must have that digest: a mirror cannot hand out another.</summary>
    private static void CheckDigest(ManifestResponse manifest, Digest? expected, SaveImage image)
    {
        if (expected is { } digest && manifest.Digest != digest)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"manifest {digest} of '{image.Source}' was served with digest {manifest.Digest}; refused");
        }
    }

    /// <summary>The layers as the archive holds them (uncompressed), and the manifest that names them.</summary>
    private static async Task<PreparedImage> PrepareAsync(PlannedImage plan, BlobCache cache, string work, long maxExpandedFloor, CancellationToken cancellationToken)
    {
        var layers = new List<SavedLayer>();
        var changed = plan.MediaType != MediaTypes.OciManifest || plan.ConfigMediaType != MediaTypes.OciConfig;
        for (var i = 0; i < plan.Layers.Count; i++)
        {
            var layer = plan.Layers[i];
            var cached = await cache.FindAsync(layer.Digest, layer.Size, cancellationToken)
                ?? throw new LoadException(LoadErrorKind.InvalidContent, $"layer {layer.Digest} of '{plan.Image.Source}' left the download cache {cache.Directory}");
            if (layer.MediaType is MediaTypes.OciLayerTar or DockerLayerTar)
            {
                changed |= layer.MediaType != MediaTypes.OciLayerTar;
                layers.Add(new SavedLayer(layer.Digest, layer.Size, cached));
            }
            else if (layer.MediaType is MediaTypes.OciLayerTarGzip or MediaTypes.DockerLayerGzip)
            {
                var limit = Math.Max(maxExpandedFloor, layer.Size > long.MaxValue / 32 ? long.MaxValue : layer.Size * 32);
                var decompressed = await DecompressAsync(cached, layer.Digest, work, limit, $"layer {i + 1} of '{plan.Image.Source}'", cancellationToken);
                if (i >= plan.DiffIds.Count || plan.DiffIds[i] != decompressed.Digest.ToString())
                {
                    throw new LoadException(LoadErrorKind.InvalidContent, $"layer {i + 1} of '{plan.Image.Source}' decompresses to {decompressed.Digest}, which is not its diff_id");
                }

                layers.Add(decompressed);
                changed = true;
            }
            else
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"layer {i + 1} of '{plan.Image.Source}' has unsupported media type '{layer.MediaType}'");
            }
        }

        var bytes = changed ? RewriteManifest(plan.ConfigDigest, plan.Config.Length, layers) : plan.Manifest;
        return new PreparedImage(plan.Image.RefName, Digest.Compute(bytes), bytes, plan.ConfigDigest, plan.Config, layers, changed);
    }

    /// <summary>The config (bounded: it is held in memory), from the cache or downloaded into it.</summary>
    private static async Task<byte[]> ReadConfigAsync(ImageSource source, Digest digest, long size, BlobCache cache, CancellationToken cancellationToken)
    {
        if (size > ArchiveLoader.MaxDocumentBytes || size < 0)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"config {digest} is larger than {ArchiveLoader.MaxDocumentBytes} bytes");
        }

        var path = await cache.FindAsync(digest, size, cancellationToken);
        path ??= await DownloadAsync(source, digest, size, cache, $"config {digest}", null, cancellationToken);

        // Verified again as it is read: the file may have changed since it was checked.
        await using var file = File.OpenRead(path);
        await using var verifying = new VerifyingReadStream(file, digest, size, $"config {digest}");
        var config = new byte[size];
        await verifying.ReadExactlyAsync(config, cancellationToken);
        await verifying.DrainAsync(cancellationToken);
        return config;
    }

    private static async Task<SavedLayer> DecompressAsync(string cached, Digest digest, string work, long limit, string what, CancellationToken cancellationToken)
    {
        var path = Path.Combine(work, $"{digest.Hex}.tar");
        await using var blob = File.OpenRead(cached);
        await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var buffer = new byte[128 * 1024];
            int n;
            while ((n = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                length += n;
                if (length > limit)
                {
                    throw new LoadException(LoadErrorKind.InvalidContent, $"{what} decompresses to more than {limit} bytes; refused as a gzip bomb");
                }

                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
        }

        return new SavedLayer(Digest.FromSha256Hash(hash.GetHashAndReset()), length, path);
    }

    private static (string Architecture, List<string> DiffIds) ReadConfig(byte[] config, Reference image)
    {
        try
        {
            using var doc = JsonDocument.Parse(config);
            var root = doc.RootElement;
            var arch = root.TryGetProperty("architecture", out var a) ? a.GetString() ?? string.Empty : string.Empty;
            var diffIds = new List<string>();
            if (root.TryGetProperty("rootfs", out var rootfs) && rootfs.TryGetProperty("diff_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
            {
                diffIds.AddRange(ids.EnumerateArray().Select(e => e.GetString() ?? string.Empty));
            }

            return (arch, diffIds);
        }
        catch (JsonException e)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"config of '{image}' is not valid JSON: {e.Message}", e);
        }
    }

    private static byte[] RewriteManifest(Digest config, long configSize, IReadOnlyList<SavedLayer> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciManifest);
            w.WritePropertyName("config");
            WriteDescriptor(w, MediaTypes.OciConfig, config, configSize, null);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(w, MediaTypes.OciLayerTar, layer.Digest, layer.Size, null);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] Index(IReadOnlyList<PreparedImage> images)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteStartArray("manifests");
            foreach (var image in images)
            {
                WriteDescriptor(w, MediaTypes.OciManifest, image.ManifestDigest, image.Manifest.Length, image.RefName);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter w, string mediaType, Digest digest, long size, string? refName)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest.ToString());
        w.WriteNumber("size", size);
        if (refName is not null)
        {
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.ref.name", refName);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
