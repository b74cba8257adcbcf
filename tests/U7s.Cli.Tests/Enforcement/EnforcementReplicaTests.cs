using System.Net;
using U7s.Cli.Tests.Support;
using U7s.Registry.Access;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>Two enforcing replicas on one bucket of the real S3 server: a signature written through one is honoured by the other within RecheckAfter.</summary>
public sealed class EnforcementReplicaTests
{
    [RequiresS3Fact]
    public async Task SignaturePutThroughOneReplica_HonouredByTheOtherWithinTheBound()
    {
        var bound = TimeSpan.FromSeconds(2);
        await using var store = await S3TestStore.CreateAsync();
        await using var a = await EnforcedServer.StartAsync(EnforceMode.Enforce, bound, s3: store.Options);
        await using var b = await EnforcedServer.StartAsync(EnforceMode.Enforce, bound, s3: store.Options);
        var image = await SmallImage.PushAsync(a.Admin, "app", "1");
        using (var before = await b.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        using (var put = await a.Store.PutAsync($"/sigstore/app@sha256={image.Digest.Hex}/signature", SampleSignature.Content("registry.local/app:1", image.Digest)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // The writing replica knows at once; the other within the bound.
        using (var onA = await a.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        }

        var seen = await b.WaitForStatusAsync("app", "1", HttpStatusCode.OK, bound + TimeSpan.FromSeconds(5));
        Assert.True(seen <= bound + TimeSpan.FromSeconds(1.5), $"replica b honoured the signature after {seen}");
    }
}
