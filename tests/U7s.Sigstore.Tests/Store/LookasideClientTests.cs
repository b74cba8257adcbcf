using U7s.Oci;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Http;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Store;

/// <summary>The HTTP lookaside reader against the real :81 app.</summary>
public sealed class LookasideClientTests : IAsyncLifetime
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("ns/app");
    private static readonly Digest Digest = Digest.Compute("m"u8);
    private SigstoreServer _server = null!;

    public async Task InitializeAsync() => _server = await SigstoreServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Directory_ => Path.Combine(_server.Root.Path, "sigstore", SignatureStore.RelativeDirectory(Repo, Digest));

    private async Task<List<StoredSignature>> ListAsync(string baseSuffix = "/sigstore/")
    {
        var result = new List<StoredSignature>();
        var client = new LookasideClient(_server.Client);
        await foreach (var s in client.ListAsync(new Uri(_server.Client.BaseAddress!, baseSuffix), Repo, Digest, default))
        {
            result.Add(s);
        }

        return result;
    }

    [Fact]
    public async Task ListAsync_ReadsUntilFirst404()
    {
        Directory.CreateDirectory(Directory_);
        await File.WriteAllBytesAsync(Path.Combine(Directory_, "signature-1"), [1]);
        await File.WriteAllBytesAsync(Path.Combine(Directory_, "signature-2"), [2]);
        await File.WriteAllBytesAsync(Path.Combine(Directory_, "signature-4"), [4]);

        var withSlash = await ListAsync("/sigstore/");
        var withoutSlash = await ListAsync("/sigstore");

        Assert.Equal([(1, (byte)1), (2, (byte)2)], withSlash.Select(s => (s.Index, s.Content.Single())));
        Assert.Equal(2, withoutSlash.Count);
    }

    [Fact]
    public async Task ListAsync_NoSignatures_IsEmpty() => Assert.Empty(await ListAsync());

    [Fact]
    public async Task ListAsync_EndlessChunkedSignature_IsRefusedAfterTheLimit_NotReadWhole()
    {
        var path = "/sigstore/" + SignatureStore.RelativePath(Repo, Digest, 1);
        await using var hostile = await HostileServer.StartAsync(h => h.Map(path, h.Endless("application/octet-stream", string.Empty, "x", 256L << 20)));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<SignatureStoreException>(async () =>
        {
            await foreach (var unused in new LookasideClient(http).ListAsync(new Uri(hostile.BaseAddress, "/sigstore/"), Repo, Digest, default))
            {
            }
        });

        Assert.Contains("larger than 4 MiB", e.Message, StringComparison.Ordinal);
        // 4 MiB and a byte read, plus what socket buffers held: far from the 256 MiB on offer.
        Assert.True(hostile.BytesSent < 32L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task ListAsync_OtherStatus_IsHardError()
    {
        Directory.CreateDirectory(Path.Combine(Directory_, "signature-2"));
        await File.WriteAllBytesAsync(Path.Combine(Directory_, "signature-1"), [1]);

        var e = await Assert.ThrowsAsync<SignatureStoreException>(() => ListAsync());

        Assert.Contains("signature-2: status 301", e.Message, StringComparison.Ordinal);
    }
}
