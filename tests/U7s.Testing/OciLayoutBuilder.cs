using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;

namespace U7s.Testing;

/// <summary>
/// Writes an OCI image layout (oci-layout, index.json, blobs/sha256) with generated images: uncompressed
/// tar layers of seeded random bytes, a config, a manifest, optionally a multi-arch index. No downloads.
/// </summary>
public sealed class OciLayoutBuilder
{
    private readonly List<(string RefName, string MediaType, Digest Digest, long Size)> _entries = [];

    public OciLayoutBuilder(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
    }

    public string Directory { get; }

    /// <summary>Adds a single-platform image; returns its manifest descriptor.</summary>
    public BuiltManifest AddImage(string refName, string architecture = "amd64", int layers = 2, int layerSize = 8192, int seed = 1)
    {
        var image = BuildImage(architecture, layers, layerSize, seed);
        _entries.Add((refName, MediaTypes.OciManifest, image.Digest, image.Size));
        return image;
    }

    /// <summary>Adds a multi-arch index whose children are built (not listed in index.json on their own).</summary>
    public BuiltManifest AddIndex(string refName, IReadOnlyList<string> architectures, int seed = 1)
    {
        var children = architectures.Select((a, i) => (Arch: a, Image: BuildImage(a, 2, 4096, seed * 100 + i))).ToList();
        var manifests = string.Join(',', children.Select(c =>
            $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{c.Image.Digest}\",\"size\":{c.Image.Size},\"platform\":{{\"architecture\":\"{c.Arch}\",\"os\":\"linux\"}}}}"));
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{manifests}]}}");
        var digest = WriteBlob(index);
        _entries.Add((refName, MediaTypes.OciIndex, digest, index.Length));
        return new BuiltManifest(digest, index.Length, children.Select(c => c.Image).ToList());
    }

    /// <summary>Writes oci-layout and index.json.</summary>
    public void Write()
    {
        File.WriteAllText(Path.Combine(Directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var entries = string.Join(',', _entries.Select(e =>
            $"{{\"mediaType\":\"{e.MediaType}\",\"digest\":\"{e.Digest}\",\"size\":{e.Size},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{e.RefName}\"}}}}"));
        File.WriteAllText(Path.Combine(Directory, "index.json"), $"{{\"schemaVersion\":2,\"manifests\":[{entries}]}}");
    }

    private BuiltManifest BuildImage(string architecture, int layers, int layerSize, int seed)
    {
        var layerDescriptors = new List<(Digest Digest, long Size)>();
        for (var i = 0; i < layers; i++)
        {
            var tar = LayerTar($"file-{seed}-{i}.bin", Seeded(seed * 31 + i, layerSize));
            layerDescriptors.Add((WriteBlob(tar), tar.Length));
        }

        var diffIds = string.Join(',', layerDescriptors.Select(l => $"\"{l.Digest}\""));
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"{architecture}\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{diffIds}]}}}}");
        var configDigest = WriteBlob(config);
        var layerJson = string.Join(',', layerDescriptors.Select(l => $"{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{l.Digest}\",\"size\":{l.Size}}}"));
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{layerJson}]}}");
        return new BuiltManifest(WriteBlob(manifest), manifest.Length, []);
    }

    private Digest WriteBlob(byte[] content)
    {
        var digest = Digest.Compute(content);
        File.WriteAllBytes(Path.Combine(Directory, "blobs", "sha256", digest.Hex), content);
        return digest;
    }

    private static byte[] LayerTar(string name, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(content),
                ModificationTime = new DateTimeOffset(2023, 5, 23, 0, 0, 0, TimeSpan.Zero),
            };
            writer.WriteEntry(entry);
        }

        return buffer.ToArray();
    }

    private static byte[] Seeded(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
