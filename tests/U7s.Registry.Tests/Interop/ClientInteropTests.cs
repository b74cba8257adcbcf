using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using U7s.Oci;
using U7s.Registry.Tests.Http;
using U7s.Testing;

namespace U7s.Registry.Tests.Interop;

/// <summary>Debian's skopeo and podman against the real registry on 127.0.0.1 (INTEROP.md §6-7).</summary>
public sealed class ClientInteropTests(RegistryServer server) : IClassFixture<RegistryServer>, IDisposable
{
    private readonly ContainerTools _tools = new();

    [RequiresToolFact("skopeo")]
    public async Task Skopeo_CopyOciInAndOutDirAndOci_DigestsPreserved()
    {
        var layout = new OciLayoutBuilder(_tools.NewDirectory("layout"));
        var image = layout.AddImage("app-amd64", layers: 3);
        layout.Write();
        var repo = OciClient.NewRepo("skopeo");
        var target = $"docker://{server.HostPort}/{repo}:v1";

        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--preserve-digests", "--dest-tls-verify=false", $"oci:{layout.Directory}:app-amd64", target)).EnsureSuccess("skopeo copy in");

        var raw = await _tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target);
        raw.EnsureSuccess("skopeo inspect");
        Assert.Equal(image.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StandardOutput)));

        var dir = _tools.NewDirectory("dir");
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--src-tls-verify=false", target, $"dir:{dir}")).EnsureSuccess("skopeo copy to dir");
        Assert.Equal(image.Digest, Digest.Compute(await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json"))));

        // The oci: transport compresses layers unless told to keep them as they are.
        var oci = _tools.NewDirectory("oci");
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--preserve-digests", "--src-tls-verify=false", target, $"oci:{oci}:out")).EnsureSuccess("skopeo copy to oci");
        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(oci, "index.json")));
        Assert.Equal(image.Digest.ToString(), index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString());

        var tags = await _tools.SkopeoAsync("list-tags", "--tls-verify=false", $"docker://{server.HostPort}/{repo}");
        tags.EnsureSuccess("skopeo list-tags");
        Assert.Contains("\"v1\"", tags.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task Skopeo_CopyGzipAndSchema2_RoundTrips()
    {
        var layout = new OciLayoutBuilder(_tools.NewDirectory("layout"));
        layout.AddImage("img", layers: 2, seed: 7);
        layout.Write();
        var target = $"docker://{server.HostPort}/{OciClient.NewRepo("skopeo")}:s2";
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--format", "v2s2", "--dest-tls-verify=false", $"oci:{layout.Directory}:img", target)).EnsureSuccess("skopeo copy v2s2");
        var raw = await _tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target);
        Assert.Contains(MediaTypes.DockerManifest, raw.StandardOutput, StringComparison.Ordinal);
        var dir = _tools.NewDirectory("dir");
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--src-tls-verify=false", target, $"dir:{dir}")).EnsureSuccess("skopeo copy out");
    }

    [RequiresToolFact("skopeo")]
    public async Task Skopeo_CopyAllMultiArch_EveryPlatformPullable()
    {
        var layout = new OciLayoutBuilder(_tools.NewDirectory("layout"));
        var index = layout.AddIndex("multi", ["amd64", "arm64"], seed: 3);
        layout.Write();
        var target = $"docker://{server.HostPort}/{OciClient.NewRepo("multi")}:v1";
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", $"oci:{layout.Directory}:multi", target)).EnsureSuccess("skopeo copy --all");

        var raw = await _tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target);
        Assert.Equal(index.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.StandardOutput)));
        foreach (var (arch, child) in new[] { "amd64", "arm64" }.Zip(index.Children))
        {
            var dir = _tools.NewDirectory(arch);
            (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "--override-arch", arch, "copy", "-q", "--src-tls-verify=false", target, $"dir:{dir}")).EnsureSuccess($"pull {arch}");
            Assert.Equal(child.Digest, Digest.Compute(await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json"))));
        }
    }

    [RequiresToolFact("skopeo")]
    public async Task Skopeo_Delete_RemovesManifest()
    {
        var repo = OciClient.NewRepo("del");
        await server.Client.PushImageAsync(repo, "gone");
        var target = $"docker://{server.HostPort}/{repo}:gone";
        (await _tools.SkopeoAsync("delete", "--tls-verify=false", target)).EnsureSuccess("skopeo delete");
        var inspect = await _tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target);
        Assert.NotEqual(0, inspect.ExitCode);
        Assert.Contains("manifest unknown", inspect.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresToolFact("skopeo", "podman")]
    public async Task Podman_PushAndPull()
    {
        var layout = new OciLayoutBuilder(_tools.NewDirectory("layout"));
        layout.AddImage("img", layers: 2, seed: 11);
        layout.Write();
        var conf = _tools.RegistriesConf(server.HostPort);
        var source = $"{server.HostPort}/{OciClient.NewRepo("podman")}:v1";
        (await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "-q", "--dest-tls-verify=false", $"oci:{layout.Directory}:img", $"docker://{source}")).EnsureSuccess("seed");

        (await _tools.PodmanAsync(conf, "pull", "-q", "--signature-policy", _tools.AnyPolicy, source)).EnsureSuccess("podman pull");
        var pushed = $"{server.HostPort}/{OciClient.NewRepo("podman")}:pushed";
        (await _tools.PodmanAsync(conf, "tag", source, pushed)).EnsureSuccess("podman tag");
        (await _tools.PodmanAsync(conf, "push", "-q", "--signature-policy", _tools.AnyPolicy, pushed)).EnsureSuccess("podman push");
        (await _tools.PodmanAsync(conf, "rmi", "-a", "-f")).EnsureSuccess("podman rmi");
        (await _tools.PodmanAsync(conf, "pull", "-q", "--signature-policy", _tools.AnyPolicy, pushed)).EnsureSuccess("podman pull pushed");
        var images = await _tools.PodmanAsync(conf, "images", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Contains(pushed, images.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedUploadOfRandomSizes_ThenRangeReads()
    {
        var repo = OciClient.NewRepo("chunk");
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 3);
        using var post = await server.Client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var location = post.Headers.Location!;
        var offset = 0;
        var random = new Random(5);
        while (offset < content.Length)
        {
            var length = Math.Min(random.Next(1, 1024 * 1024), content.Length - offset);
            using var chunk = new ByteArrayContent(content, offset, length);
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patch = await server.Client.PatchAsync(location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!;
            offset += length;
        }

        var digest = Digest.Compute(content);
        using var put = await server.Client.PutAsync($"{location}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        for (var i = 0; i < 5; i++)
        {
            var from = random.Next(content.Length);
            var to = Math.Min(content.Length - 1, from + random.Next(100_000));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
            request.Headers.TryAddWithoutValidation("Range", $"bytes={from}-{to}");
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(content.AsSpan(from, to - from + 1).ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
    }

    public void Dispose() => _tools.Dispose();
}
