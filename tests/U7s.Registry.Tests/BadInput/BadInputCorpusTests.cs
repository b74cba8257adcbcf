using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Registry.Tests.Http;

namespace U7s.Registry.Tests.BadInput;

/// <summary>Every request of the corpus gets the spec's status and error code, in the OCI envelope; never a 500.</summary>
public sealed class BadInputCorpusTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    public static TheoryData<BadRequest> Cases() => [.. RegistryCorpus.All()];

    [Fact]
    public void Corpus_HasWellOverSixtyRegistryCases() => Assert.True(RegistryCorpus.All().Count() > 60, RegistryCorpus.All().Count().ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadRequest_AnsweredWithTheSpecsError(BadRequest bad)
    {
        var repo = OciClient.NewRepo("bad");
        var image = await server.Client.PushImageAsync(repo, "v1");
        using var post = await server.Client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var upload = post.Headers.Location!.OriginalString.Split('/')[^1];
        using (var tenBytes = new ByteArrayContent(new byte[10]))
        using (await server.Client.PatchAsync(post.Headers.Location, tenBytes))
        {
        }

        var other = OciClient.NewRepo("bad");
        await server.Client.PushImageAsync(other, "v1");
        var path = bad.Path.Replace("{repo}", repo, StringComparison.Ordinal).Replace("{other}", other, StringComparison.Ordinal)
            .Replace("{digest}", image.Digest.ToString(), StringComparison.Ordinal).Replace("{layer}", image.LayerDigest.ToString(), StringComparison.Ordinal)
            .Replace("{upload}", upload, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), new Uri(path, UriKind.Relative));
        if (bad.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(bad.Body));
            if (bad.ContentType is not null)
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(bad.ContentType);
            }
        }

        foreach (var (name, value) in bad.Headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await server.Client.SendAsync(request);
        if (bad.Code is null)
        {
            Assert.Equal((HttpStatusCode)bad.Status, response.StatusCode);
        }
        else
        {
            await response.AssertErrorAsync((HttpStatusCode)bad.Status, bad.Code);
        }

        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
