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
/// Writes images from a registry into the archive format the loader reads (SPEC §1.7): one OCI
/// layout per architecture, registry-less ref names, uncompressed layers. Layers already
/// uncompressed keep their bytes and the manifest stays byte-exact (same digest as the source);
/// gzip layers are decompressed into temp files, checked against the config's diff_ids, and the
/// manifest is rewritten as an OCI manifest. Output goes to temp names and is renamed at the end.
/// </summary>
internal sealed class ArchiveSaver(RegistryClient source, IProgress<LoadProgress>? progress = null)
{
    private const string DockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

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

        var work = request.TemporaryRoot is null
            ? Directory.CreateTempSubdirectory("u7s-save-")
            : Directory.CreateDirectory(Path.Combine(request.TemporaryRoot, $"u7s-save-{Guid.NewGuid():N}"));
        var saved = new List<SavedImage>();
        try
        {
            if (request.SingleFile)
            {
                await using var writer = new OciArchiveWriter(output, request.Xz);
                foreach (var arch in request.Architectures)
                {
                    saved.AddRange(await WriteArchitectureAsync(writer, arch, request.Images, work.FullName, cancellationToken));
                }

                await writer.CommitAsync(cancellationToken);
                return new SaveResult([output], saved);
            }

            var staging = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(staging);
            try
            {
                foreach (var arch in request.Architectures)
                {
                    await using var writer = new OciArchiveWriter(Path.Combine(staging, $"{arch}.tar.xz"), request.Xz);
                    saved.AddRange(await WriteArchitectureAsync(writer, arch, request.Images, work.FullName, cancellationToken));
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

            return new SaveResult(request.Architectures.Select(a => Path.Combine(output, $"{a}.tar.xz")).ToList(), saved);
        }
        catch (RegistryException e)
        {
            throw new LoadException(LoadErrorKind.Registry, $"registry error: {e.Message}", e);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private async Task<List<SavedImage>> WriteArchitectureAsync(OciArchiveWriter writer, string arch, IReadOnlyList<Reference> images, string work, CancellationToken cancellationToken)
    {
        var prepared = new List<PreparedImage>();
        var distinct = images.DistinctBy(i => i.ToString()).ToList();
        foreach (var image in distinct)
        {
            progress?.Report(new LoadProgress($"reading {arch}", 0, 0, image.ToString(), prepared.Count + 1, distinct.Count));
            prepared.Add(await PrepareAsync(image, arch, work, cancellationToken));
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
                if (layer.TempPath is not null)
                {
                    await using var file = File.OpenRead(layer.TempPath);
                    await writer.WriteBlobAsync(arch, layer.Digest, layer.Size, file, cancellationToken);
                }
                else
                {
                    await using var blob = await source.OpenBlobAsync(layer.SourceRepository!.Value, layer.Digest, cancellationToken);
                    await using var verifying = new VerifyingReadStream(blob, layer.Digest, layer.Size, $"layer {layer.Digest} of {image.RefName}");
                    await writer.WriteBlobAsync(arch, layer.Digest, layer.Size, verifying, cancellationToken);
                }
            }
        }

        return prepared.Select(p => new SavedImage(arch, p.RefName, p.ManifestDigest, p.Rewritten)).ToList();
    }

    private async Task<PreparedImage> PrepareAsync(Reference image, string arch, string work, CancellationToken cancellationToken)
    {
        if (image.Tag is not { } tag)
        {
            throw new LoadException(LoadErrorKind.Usage, $"image '{image}' needs a tag (ref names in archives are <name>:<tag>)");
        }

        var repository = image.Repository;
        var refName = $"{repository}:{tag}";
        var manifest = await source.GetManifestOrNullAsync(repository, image.Digest?.ToString() ?? tag.Value, cancellationToken)
            ?? throw new LoadException(LoadErrorKind.Registry, $"image '{image}' not found in {source.BaseUri}");
        if (MediaTypes.IsIndex(manifest.MediaType))
        {
            var index = ManifestDocument.Parse(manifest.Content, $"index of {image}");
            var child = (index.Manifests ?? []).FirstOrDefault(m => m.Platform is { Os: "linux" } p && p.Architecture == arch && MediaTypes.IsImageManifest(m.MediaType))
                ?? throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image}' has no linux/{arch} manifest");
            manifest = await source.GetManifestOrNullAsync(repository, child.Digest, cancellationToken)
                ?? throw new LoadException(LoadErrorKind.Registry, $"manifest {child.Digest} of '{image}' not found");
        }

        if (!MediaTypes.IsImageManifest(manifest.MediaType))
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image}' has unsupported manifest type '{manifest.MediaType}'");
        }

        var document = ManifestDocument.Parse(manifest.Content, $"manifest of {image}");
        var configDescriptor = document.Config ?? throw new LoadException(LoadErrorKind.InvalidContent, $"manifest of '{image}' has no config");
        var configDigest = Digest.Parse(configDescriptor.Digest);
        var config = await ReadConfigAsync(repository, configDigest, configDescriptor.Size, cancellationToken);
        var (configArch, diffIds) = ReadConfig(config, image);
        if (configArch != arch)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"image '{image}' is for {configArch}, not {arch}");
        }

        var layers = new List<SavedLayer>();
        var changed = manifest.MediaType != MediaTypes.OciManifest || configDescriptor.MediaType != MediaTypes.OciConfig;
        var descriptors = document.Layers ?? [];
        for (var i = 0; i < descriptors.Count; i++)
        {
            var layer = descriptors[i];
            var digest = Digest.Parse(layer.Digest);
            if (layer.MediaType is MediaTypes.OciLayerTar or DockerLayerTar)
            {
                changed |= layer.MediaType != MediaTypes.OciLayerTar;
                layers.Add(new SavedLayer(digest, layer.Size, repository, null));
            }
            else if (layer.MediaType is MediaTypes.OciLayerTarGzip or MediaTypes.DockerLayerGzip)
            {
                var decompressed = await DecompressAsync(repository, digest, layer.Size, work, cancellationToken);
                if (i >= diffIds.Count || diffIds[i] != decompressed.Digest.ToString())
                {
                    throw new LoadException(LoadErrorKind.InvalidContent, $"layer {i + 1} of '{image}' decompresses to {decompressed.Digest}, which is not its diff_id");
                }

                layers.Add(decompressed);
                changed = true;
            }
            else
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"layer {i + 1} of '{image}' has unsupported media type '{layer.MediaType}'");
            }
        }

        var bytes = changed ? RewriteManifest(configDigest, config.Length, layers) : manifest.Content;
        return new PreparedImage(refName, Digest.Compute(bytes), bytes, configDigest, config, layers, changed);
    }

    private async Task<byte[]> ReadConfigAsync(RepositoryName repository, Digest digest, long size, CancellationToken cancellationToken)
    {
        if (size > ArchiveLoader.MaxDocumentBytes)
        {
            throw new LoadException(LoadErrorKind.InvalidContent, $"config {digest} is larger than {ArchiveLoader.MaxDocumentBytes} bytes");
        }

        await using var blob = await source.OpenBlobAsync(repository, digest, cancellationToken);
        await using var verifying = new VerifyingReadStream(blob, digest, size, $"config {digest}");
        var config = new byte[size];
        await verifying.ReadExactlyAsync(config, cancellationToken);
        await verifying.DrainAsync(cancellationToken);
        return config;
    }

    private async Task<SavedLayer> DecompressAsync(RepositoryName repository, Digest digest, long size, string work, CancellationToken cancellationToken)
    {
        var path = Path.Combine(work, $"{digest.Hex}.tar");
        await using var blob = await source.OpenBlobAsync(repository, digest, cancellationToken);
        await using var verifying = new VerifyingReadStream(blob, digest, size, $"layer {digest}");
        await using var gzip = new GZipStream(verifying, CompressionMode.Decompress);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var buffer = new byte[128 * 1024];
            int n;
            while ((n = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                length += n;
            }
        }

        await verifying.DrainAsync(cancellationToken);
        return new SavedLayer(Digest.FromSha256Hash(hash.GetHashAndReset()), length, null, path);
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
