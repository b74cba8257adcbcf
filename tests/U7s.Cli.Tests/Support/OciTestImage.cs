using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Cli.Tests.Support;

/// <summary>Writes a one-layer OCI image layout (uncompressed layer, ref name <c>v1</c>) for pushing with skopeo.</summary>
internal static class OciTestImage
{
    public static void Write(string directory, string content)
    {
        var blobs = Path.Join(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        byte[] layer;
        using (var tar = new MemoryStream())
        {
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                };
                writer.WriteEntry(entry);
            }

            layer = tar.ToArray();
        }

        var layerDigest = Store(blobs, layer);
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}""");
        var configDigest = Store(blobs, config);
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{layerDigest}}}","size":{{{layer.Length}}}}]}""");
        var manifestDigest = Store(blobs, manifest);
        File.WriteAllText(Path.Join(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Join(directory, "index.json"), $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifestDigest}}}","size":{{{manifest.Length}}},"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}""");
    }

    private static string Store(string blobs, byte[] data)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(data));
        File.WriteAllBytes(Path.Join(blobs, hex), data);
        return "sha256:" + hex;
    }
}
