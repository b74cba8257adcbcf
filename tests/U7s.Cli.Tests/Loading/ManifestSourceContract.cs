using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Http;
using U7s.Registry.Manifests;
using U7s.Sigstore.Manifests;
using U7s.Testing;

namespace U7s.Cli.Tests.Loading;

/// <summary>
/// The contract every <see cref="IManifestSource"/> must pass, over a real registry on 127.0.0.1 that the test pushes
/// to: the bytes exactly as pushed, by tag or digest, absent as null, and every failure (too large, damaged, no
/// answer) one <see cref="ManifestSourceException"/>, never another type and never a wrong manifest.
/// </summary>
public abstract class ManifestSourceContract : IAsyncLifetime
{
    private readonly TempDirectory _data = new("u7s-manifest-source");
    private WebApplication? _registry;

    protected HttpClient Registry { get; private set; } = null!;

    protected Uri RegistryUrl { get; private set; } = null!;

    /// <summary>The registry's own manifests, as the processes on its host read them.</summary>
    private protected ManifestService Manifests => _registry!.Services.GetRequiredService<ManifestService>();

    protected string DataRoot => _data.Path;

    public async Task InitializeAsync()
    {
        // Manifests up to 8 MiB are accepted here, so one over the 4 MiB a source may read can be stored.
        _registry = RegistryApp.Build(new RegistryOptions { Listen = "127.0.0.1:0", DataRoot = _data.Path, MaxManifestBytes = 8 * 1024 * 1024 });
        await _registry.StartAsync();
        RegistryUrl = new Uri(_registry.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Registry = new HttpClient { BaseAddress = RegistryUrl };
    }

    public virtual async Task DisposeAsync()
    {
        Registry.Dispose();
        await _registry!.StopAsync();
        await _registry.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>The source over this test's registry.</summary>
    protected abstract IManifestSource Source { get; }

    /// <summary>A source whose registry (or store) does not answer.</summary>
    protected abstract Task<IManifestSource> UnreachableAsync();

    [ContractFact]
    public async Task ByTagAndByDigest_TheBytesExactlyAsPushed()
    {
        var (manifest, digest) = await PushImageAsync("app", "v1", MediaTypes.OciManifest);

        foreach (var reference in new[] { "registry.local/app:v1", $"registry.local/app@{digest}" })
        {
            var fetched = await Source.GetManifestOrNullAsync(Reference.Parse(reference), default);
            Assert.NotNull(fetched);
            Assert.Equal(manifest, fetched.Content);
            Assert.Equal(digest, fetched.Digest);
            Assert.Equal(MediaTypes.OciManifest, fetched.MediaType);
        }
    }

    [ContractFact]
    public async Task IndexAndDockerManifest_KeepTheirMediaTypes()
    {
        var (childBytes, child) = await PushImageAsync("multi", child: null, MediaTypes.DockerManifest);
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.DockerManifest}\",\"digest\":\"{child}\",\"size\":{childBytes.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");
        await PutManifestAsync("multi", "list", index, MediaTypes.OciIndex);

        var fetchedIndex = await Source.GetManifestOrNullAsync(Reference.Parse("registry.local/multi:list"), default);
        var fetchedChild = await Source.GetManifestOrNullAsync(Reference.Parse($"registry.local/multi@{child}"), default);

        Assert.Equal(MediaTypes.OciIndex, fetchedIndex!.MediaType);
        Assert.Equal(index, fetchedIndex.Content);
        Assert.Equal(MediaTypes.DockerManifest, fetchedChild!.MediaType);
        Assert.Equal(child, fetchedChild.Digest);
    }

    [ContractFact]
    public async Task Absent_TagDigestOrRepository_IsNull()
    {
        var (_, digest) = await PushImageAsync("app", "v1", MediaTypes.OciManifest);

        Assert.Null(await Source.GetManifestOrNullAsync(Reference.Parse("registry.local/app:v2"), default));
        Assert.Null(await Source.GetManifestOrNullAsync(Reference.Parse($"registry.local/app@{Digest.Compute("other"u8)}"), default));
        Assert.Null(await Source.GetManifestOrNullAsync(Reference.Parse($"registry.local/elsewhere@{digest}"), default));
        Assert.Null(await Source.GetManifestOrNullAsync(Reference.Parse("registry.local/nothing:v1"), default));
    }

    [ContractFact]
    public async Task LargerThan4MiB_IsAFailure_NotAManifest()
    {
        var padding = new string(' ', 5 * 1024 * 1024);
        var (_, digest) = await PushImageAsync("big", "v1", MediaTypes.OciManifest, padding);

        foreach (var reference in new[] { "registry.local/big:v1", $"registry.local/big@{digest}" })
        {
            var e = await Assert.ThrowsAsync<ManifestSourceException>(() => Source.GetManifestOrNullAsync(Reference.Parse(reference), default));
            Assert.Contains("4 MiB", e.Message, StringComparison.Ordinal);
        }
    }

    [ContractFact]
    public async Task DamagedAtRest_ByDigest_IsAFailure_NeverTheWrongBytes()
    {
        var (manifest, digest) = await PushImageAsync("app", "v1", MediaTypes.OciManifest);
        var stored = Path.Combine(DataRoot, "blobs", "sha256", digest.Hex[..2], digest.Hex);
        var damaged = manifest.ToArray();
        damaged[^2] ^= 0x20;
        File.SetUnixFileMode(stored, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(stored, damaged);

        var e = await Assert.ThrowsAsync<ManifestSourceException>(() => Source.GetManifestOrNullAsync(Reference.Parse($"registry.local/app@{digest}"), default));

        Assert.Contains(digest.ToString(), e.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task NoAnswer_IsAManifestSourceFailure()
    {
        var source = await UnreachableAsync();

        await Assert.ThrowsAsync<ManifestSourceException>(() => source.GetManifestOrNullAsync(Reference.Parse("registry.local/app:v1"), default));
    }

    /// <summary>Pushes a config, a layer and a manifest of <paramref name="mediaType"/> (with <paramref name="padding"/> inside); tags it unless <paramref name="child"/> is null.</summary>
    protected async Task<(byte[] Manifest, Digest Digest)> PushImageAsync(string repository, string? child, string mediaType, string padding = "")
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid():N}\"}}");
        var layer = Encoding.UTF8.GetBytes($"layer {Guid.NewGuid():N}");
        var configType = mediaType == MediaTypes.DockerManifest ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        var layerType = mediaType == MediaTypes.DockerManifest ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar";
        var manifest = Encoding.UTF8.GetBytes(
            $"{{ \"schemaVersion\": 2,{padding} \"mediaType\": \"{mediaType}\", " +
            $"\"config\": {{\"mediaType\":\"{configType}\",\"digest\":\"{await PushBlobAsync(repository, config)}\",\"size\":{config.Length}}}, " +
            $"\"layers\": [{{\"mediaType\":\"{layerType}\",\"digest\":\"{await PushBlobAsync(repository, layer)}\",\"size\":{layer.Length}}}] }}\n");
        var digest = Digest.Compute(manifest);
        await PutManifestAsync(repository, child ?? digest.ToString(), manifest, mediaType);
        return (manifest, digest);
    }

    private async Task<Digest> PushBlobAsync(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        using var response = await Registry.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    private async Task PutManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await Registry.PutAsync($"/v2/{repository}/manifests/{reference}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
