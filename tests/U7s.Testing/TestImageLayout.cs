using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Testing;

/// <summary>
/// Writes a tiny single-image OCI layout (one uncompressed layer holding one text file, a config,
/// a manifest, <c>index.json</c> naming it) for pushing with <c>skopeo copy oci:DIR:REF …</c>.
/// </summary>
public static class TestImageLayout
{
    /// <summary>Creates the layout in <paramref name="directory"/> with ref name <paramref name="refName"/>; the file content makes images distinct.</summary>
    public static void Write(string directory, string refName, string fileContent)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        using var layer = new MemoryStream();
        using (var tar = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(fileContent)),
                ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            };
            tar.WriteEntry(entry);
        }

        var layerDigest = Blob(directory, layer.ToArray());
        var config = Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest.Digest}}}"]}}""");
        var configDigest = Blob(directory, config);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest.Digest}}","size":{{configDigest.Size}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layerDigest.Digest}}","size":{{layerDigest.Size}}}]}""");
        var manifestDigest = Blob(directory, manifest);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(directory, "index.json"),
            $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifestDigest.Digest}}}","size":{{{manifestDigest.Size}}},"annotations":{"org.opencontainers.image.ref.name":"{{{refName}}}"}}]}""");
    }

    private static (string Digest, int Size) Blob(string directory, byte[] content)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", hex), content);
        return ("sha256:" + hex, content.Length);
    }
}
