using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Testing;

/// <summary>
/// Writes tiny OCI layouts for pushing with <c>skopeo copy [--all] oci:DIR:REF …</c>: each image has
/// one uncompressed layer holding one text file, a config and a manifest; <see cref="WriteMultiArch"/>
/// adds an image index over an amd64 and an arm64 image.
/// </summary>
public static class TestImageLayout
{
    private const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    private const string IndexType = "application/vnd.oci.image.index.v1+json";

    /// <summary>A single-image layout with ref name <paramref name="refName"/>; the file content makes images distinct.</summary>
    public static void Write(string directory, string refName, string fileContent)
    {
        var manifest = WriteImage(directory, "amd64", fileContent);
        WriteIndexJson(directory, ManifestType, manifest, refName);
    }

    /// <summary>A layout whose ref names an image index of an amd64 and an arm64 image.</summary>
    public static void WriteMultiArch(string directory, string refName, string fileContent)
    {
        var amd64 = WriteImage(directory, "amd64", fileContent + " amd64");
        var arm64 = WriteImage(directory, "arm64", fileContent + " arm64");
        var index = Blob(directory, Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{IndexType}}}","manifests":[{{{Entry(amd64, "amd64")}}},{{{Entry(arm64, "arm64")}}}]}"""));
        WriteIndexJson(directory, IndexType, index, refName);
    }

    private static string Entry((string Digest, int Size) manifest, string arch) =>
        $$$"""{"mediaType":"{{{ManifestType}}}","digest":"{{{manifest.Digest}}}","size":{{{manifest.Size}}},"platform":{"architecture":"{{{arch}}}","os":"linux"}}""";

    private static (string Digest, int Size) WriteImage(string directory, string arch, string fileContent)
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
        var config = Blob(directory, Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"{{{arch}}}","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest.Digest}}}"]}}"""));
        return Blob(directory, Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{ManifestType}}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{config.Digest}}}","size":{{{config.Size}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{layerDigest.Digest}}}","size":{{{layerDigest.Size}}}}]}"""));
    }

    private static void WriteIndexJson(string directory, string mediaType, (string Digest, int Size) target, string refName)
    {
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(directory, "index.json"),
            $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{mediaType}}}","digest":"{{{target.Digest}}}","size":{{{target.Size}}},"annotations":{"org.opencontainers.image.ref.name":"{{{refName}}}"}}]}""");
    }

    private static (string Digest, int Size) Blob(string directory, byte[] content)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", hex), content);
        return ("sha256:" + hex, content.Length);
    }
}
