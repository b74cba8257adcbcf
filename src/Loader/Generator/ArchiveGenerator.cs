using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using U7s.Cluster.Kubeadm;
using U7s.Loader.Archive;
using U7s.Loader.Xz;
using U7s.Oci;

namespace U7s.Loader.Generator;

/// <summary>
/// Writes a deterministic image archive in the format of SPEC §1.1: the k8s-c10f1 image names of
/// §1.4 (tags replaceable, for other Kubernetes releases), uncompressed tar layers (two base layers shared by several images, one or two own layers
/// each) filled with seeded, partly compressible content, one <c>&lt;arch&gt;/</c> OCI layout in a
/// multi-block tar.xz. Layers are built in temp files and streamed into the archive, so the
/// archive size is bounded by disk, not memory.
/// </summary>
internal static class ArchiveGenerator
{
    // The default image set of the kubeadm bootstrap (one source: U7s.Cluster's kubeadm-images.json), so a
    // generated archive holds exactly what `u7s kubeadm init` requires by default; cert-manager is the
    // optional add-on of SPEC §1.4.
    private static readonly (string Name, string Tag, bool Kube)[] K8sSet = DefaultSet();

    private static readonly byte[][] Words =
        [.. new[] { "static", "binary", "linux", "kubernetes", "container", "runtime", "config", "cluster", "node", "image", "signature", "policy" }
            .SelectMany(w => new[] { w + " ", w + "\n" })
            .Select(Encoding.ASCII.GetBytes)];

    private static (string Name, string Tag, bool Kube)[] DefaultSet()
    {
        var defaults = KubeadmImages.Defaults;
        var kubernetes = KubeadmImages.DefaultKubernetesVersion.ToString();
        var tags = KubeadmImages.DefaultReleaseTags;
        return
        [
            ("kube-apiserver", kubernetes, true),
            ("kube-controller-manager", kubernetes, true),
            ("kube-scheduler", kubernetes, true),
            ("kube-proxy", kubernetes, true),
            ("etcd", tags.Etcd, false),
            ("coredns", tags.CoreDns, false),
            ("pause", tags.Pause, false),
            ("flannel", defaults.Flannel, false),
            ("flannel-cni-plugin", defaults.FlannelCniPlugin, false),
            ("cert-manager-controller", "v1.9.1", false),
            ("cert-manager-cainjector", "v1.9.1", false),
            ("cert-manager-webhook", "v1.9.1", false),
        ];
    }

    public static async Task<GeneratedArchive> WriteAsync(string path, GeneratorOptions options, CancellationToken cancellationToken)
    {
        var arch = options.Architecture;
        var work = options.TemporaryRoot is null
            ? Directory.CreateTempSubdirectory("u7s-gen-")
            : Directory.CreateDirectory(Path.Combine(options.TemporaryRoot, $"u7s-gen-{Guid.NewGuid():N}"));
        try
        {
            var random = new Random(options.Seed);
            var layers = new Dictionary<Digest, (string Path, long Size)>();
            async Task<(Digest Digest, long Size)> LayerAsync(string name, long size)
            {
                var layer = await WriteLayerAsync(work.FullName, name, size, random.Next(), cancellationToken);
                layers.TryAdd(layer.Digest, (layer.Path, layer.Size));
                return (layer.Digest, layer.Size);
            }

            var baseLayer = await LayerAsync("base", options.LayerBytes);
            var kubeLayer = await LayerAsync("kube-base", options.LayerBytes);
            var documents = new List<(Digest Digest, byte[] Content)>();
            var images = new List<GeneratedImage>();
            var indexEntries = new List<(string Ref, Digest Digest, long Size)>();
            foreach (var (name, tag, kube) in K8sSet.Take(Math.Clamp(options.ImageCount, 1, K8sSet.Length)))
            {
                var own = new List<(Digest Digest, long Size)> { baseLayer };
                if (kube)
                {
                    own.Add(kubeLayer);
                }

                var ownCount = name == "pause" ? 1 : 1 + random.Next(2);
                for (var i = 0; i < ownCount; i++)
                {
                    var size = name == "pause" ? Math.Max(1024, options.LayerBytes / 16) : options.LayerBytes / 2 + random.NextInt64(Math.Max(1, options.LayerBytes));
                    own.Add(await LayerAsync($"{name}-{i}", size));
                }

                var config = Config(arch, name, own.Select(l => l.Digest));
                var configDigest = Digest.Compute(config);
                var manifest = Manifest(configDigest, config.Length, own);
                var manifestDigest = Digest.Compute(manifest);
                documents.Add((configDigest, config));
                documents.Add((manifestDigest, manifest));
                var refName = $"{options.Platform}/{name}:{options.Tags?.GetValueOrDefault(name) ?? tag}";
                indexEntries.Add((refName, manifestDigest, manifest.Length));
                images.Add(new GeneratedImage(refName, manifestDigest, manifest.Length, configDigest, own.Select(l => l.Digest).ToList()));
            }

            var index = Index(indexEntries);
            await using var writer = new OciArchiveWriter(path, new XzEncoderOptions { Preset = options.XzPreset });
            await writer.BeginLayoutAsync(arch, cancellationToken);
            if (options.IndexFirst)
            {
                await writer.WriteOciLayoutAsync(arch, cancellationToken);
                await writer.WriteIndexAsync(arch, index, cancellationToken);
                foreach (var (digest, content) in documents.AsEnumerable().Reverse())
                {
                    await writer.WriteBlobAsync(arch, digest, content, cancellationToken);
                }
            }

            foreach (var (digest, (layerPath, size)) in layers)
            {
                await using var content = File.OpenRead(layerPath);
                await writer.WriteBlobAsync(arch, digest, size, content, cancellationToken);
            }

            if (!options.IndexFirst)
            {
                foreach (var (digest, content) in documents)
                {
                    await writer.WriteBlobAsync(arch, digest, content, cancellationToken);
                }

                await writer.WriteIndexAsync(arch, index, cancellationToken);
                await writer.WriteOciLayoutAsync(arch, cancellationToken);
            }

            await writer.CommitAsync(cancellationToken);
            var blobBytes = layers.Values.Sum(l => l.Size) + documents.DistinctBy(d => d.Digest).Sum(d => (long)d.Content.Length);
            return new GeneratedArchive(Path.GetFullPath(path), arch, images, blobBytes);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(Digest Digest, string Path, long Size)> WriteLayerAsync(string directory, string name, long size, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var path = Path.Combine(directory, $"{name}.tar");
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var tar = new UstarWriter(file);
            await tar.WriteDirectoryAsync("usr/", cancellationToken);
            await tar.WriteDirectoryAsync($"usr/share/{name}/", cancellationToken);
            long written = 0;
            for (var i = 0; written < size; i++)
            {
                var fileSize = (int)Math.Min(size - written, 4096 + random.Next(60 * 1024));
                await tar.WriteFileAsync($"usr/share/{name}/file-{i:D4}", Content(random, fileSize), cancellationToken);
                written += fileSize;
            }

            await tar.FinishAsync(cancellationToken);
        }

        await using var read = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(read, cancellationToken);
        return (Digest.FromSha256Hash(hash), path, read.Length);
    }

    /// <summary>Half random bytes, half repetitive text: compresses roughly like real binaries and docs.</summary>
    private static byte[] Content(Random random, int size)
    {
        var content = new byte[size];
        var randomPart = size / 2;
        random.NextBytes(content.AsSpan(0, randomPart));
        var offset = randomPart;
        while (offset < size)
        {
            var word = Words[random.Next(Words.Length)];
            var n = Math.Min(word.Length, size - offset);
            word.AsSpan(0, n).CopyTo(content.AsSpan(offset));
            offset += n;
        }

        return content;
    }

    private static byte[] Config(string arch, string name, IEnumerable<Digest> diffIds) => Json(w =>
    {
        w.WriteString("architecture", arch);
        w.WriteString("os", "linux");
        w.WriteStartObject("config");
        w.WriteStartArray("Env");
        w.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        w.WriteEndArray();
        w.WriteStartArray("Entrypoint");
        w.WriteStringValue($"/usr/bin/{name}");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var d in diffIds)
        {
            w.WriteStringValue(d.ToString());
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static byte[] Manifest(Digest config, long configSize, IEnumerable<(Digest Digest, long Size)> layers) => Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaTypes.OciManifest);
        w.WriteStartObject("config");
        Descriptor(w, MediaTypes.OciConfig, config, configSize);
        w.WriteEndObject();
        w.WriteStartArray("layers");
        foreach (var (digest, size) in layers)
        {
            w.WriteStartObject();
            Descriptor(w, MediaTypes.OciLayerTar, digest, size);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static byte[] Index(IEnumerable<(string Ref, Digest Digest, long Size)> entries) => Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteStartArray("manifests");
        foreach (var (refName, digest, size) in entries)
        {
            w.WriteStartObject();
            Descriptor(w, MediaTypes.OciManifest, digest, size);
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.ref.name", refName);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static void Descriptor(Utf8JsonWriter w, string mediaType, Digest digest, long size)
    {
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest.ToString());
        w.WriteNumber("size", size);
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
