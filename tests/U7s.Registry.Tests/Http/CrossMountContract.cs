using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using U7s.Registry.Tests.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// Cross-repository mounts without <c>from</c>, over real HTTP and every storage backend: the registry mounts a blob
/// that a repository of the catalog still links, and anything else (a blob deleted from its repository and waiting
/// for gc, the bytes of a manifest) only opens an upload session, as the spec's fallback says.
/// </summary>
public abstract class CrossMountContract : RegistryOnStorage
{
    [ContractFact]
    public async Task WithoutFrom_ABlobOfAnImageElsewhere_IsMounted_AndAuditedWithWhereItCameFrom()
    {
        var image = await Client.PushImageAsync("mount/app", "v1");

        using var mount = await Client.PostAsync($"/v2/mount/copy/blobs/uploads/?mount={image.LayerDigest}", null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(image.Layer, await Client.GetByteArrayAsync($"/v2/mount/copy/blobs/{image.LayerDigest}"));
        var audit = (await File.ReadAllLinesAsync(Server.Options.AuditLogPath)).Select(l => JsonDocument.Parse(l).RootElement).Last();
        Assert.Equal("blob.mount", audit.GetProperty("action").GetString());
        Assert.Equal("mount/app", audit.GetProperty("from").GetString());
    }

    [ContractFact]
    public async Task WithoutFrom_ABlobDeletedFromItsOnlyRepository_OpensAnUpload_AndStaysUnreadable()
    {
        var image = await Client.PushImageAsync("mount/deleted", "v1");
        using (var delete = await Client.DeleteAsync($"/v2/mount/deleted/blobs/{image.LayerDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        // Its bytes are still stored (until gc), which a mount must not make readable again.
        Assert.NotNull(await Storage.Open(Clock).Blobs.GetSizeOrNullAsync(image.LayerDigest, default));
        using var mount = await Client.PostAsync($"/v2/mount/thief/blobs/uploads/?mount={image.LayerDigest}", null);

        await AssertFellBackToUploadAsync(mount, "mount/thief", image.LayerDigest.ToString());
    }

    [ContractFact]
    public async Task WithoutFrom_OrFrom_TheBytesOfAManifest_AreNotABlob()
    {
        var image = await Client.PushImageAsync("mount/manifests", "v1");

        using (var withoutFrom = await Client.PostAsync($"/v2/mount/thief/blobs/uploads/?mount={image.Digest}", null))
        {
            await AssertFellBackToUploadAsync(withoutFrom, "mount/thief", image.Digest.ToString());
        }

        using var withFrom = await Client.PostAsync($"/v2/mount/thief/blobs/uploads/?mount={image.Digest}&from=mount/manifests", null);
        await AssertFellBackToUploadAsync(withFrom, "mount/thief", image.Digest.ToString());
    }

    [ContractFact]
    public async Task WithoutFrom_ABlobNoRepositoryHolds_OpensAnUpload()
    {
        using var mount = await Client.PostAsync($"/v2/mount/new/blobs/uploads/?mount={U7s.Oci.Digest.Compute(RandomNumberGenerator.GetBytes(32))}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
    }

    private async Task AssertFellBackToUploadAsync(HttpResponseMessage mount, string repository, string digest)
    {
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.StartsWith($"/v2/{repository}/blobs/uploads/", mount.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var get = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }
}
