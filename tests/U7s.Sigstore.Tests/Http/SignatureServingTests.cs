using System.Net;
using Microsoft.Extensions.DependencyInjection;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Store;

namespace U7s.Sigstore.Tests.Http;

/// <summary>
/// Repeated GETs of one signature against real Kestrel over a real tree, as every node pull makes them:
/// byte-exact each time (GET and HEAD), and a file that leaves the tree's rules between two requests
/// (deleted, chmod 0600, replaced by a symlink, its directory swapped for one, renumbered) is refused or
/// replaced by the very next request. Guards the serving path against any cache that would keep
/// serving what the tree no longer allows.
/// </summary>
public sealed class SignatureServingTests : IDisposable
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private const string SignatureDirectory = "sigstore/k8s/pause@sha256=" + Hex;
    private const string Signature1 = "/" + SignatureDirectory + "/signature-1";

    private readonly TempDirectory _tree = new("u7s-cache-tree");
    private readonly TempDirectory _outside = new("u7s-cache-outside");
    private readonly byte[] _signature = [0xA3, 1, 2, 3, 0, 255, 7];

    public SignatureServingTests()
    {
        Directory.CreateDirectory(_tree.Combine(SignatureDirectory));
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-1"), _signature);
        File.WriteAllText(_outside.Combine("secret"), "-----BEGIN PGP PRIVATE KEY BLOCK-----");
    }

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task Get_Repeated_ServesTheSameBytesAndHeaders()
    {
        await using var server = await StartAsync();
        using var first = await server.Client.GetAsync(new Uri(Signature1, UriKind.Relative));
        Assert.Equal(_signature, await first.Content.ReadAsByteArrayAsync());
        for (var i = 0; i < 3; i++)
        {
            using var again = await server.Client.GetAsync(new Uri(Signature1, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(_signature, await again.Content.ReadAsByteArrayAsync());
            Assert.Equal(_signature.Length, again.Content.Headers.ContentLength);
            Assert.Equal(first.Content.Headers.LastModified, again.Content.Headers.LastModified);
            Assert.Equal("application/octet-stream", again.Content.Headers.ContentType?.MediaType);
        }

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Signature1));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_signature.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(20_000)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1_300_000)]
    public async Task Get_AnySize_IsByteExact(int size)
    {
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-2"), content);
        await using var server = await StartAsync();

        await AssertServedAsync(server, "/" + SignatureDirectory + "/signature-2", content);
        await AssertServedAsync(server, "/" + SignatureDirectory + "/signature-2", content);
    }

    [Fact]
    public async Task Get_DeletedFile_Is404AtTheNextRequest()
    {
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        File.Delete(_tree.Combine(SignatureDirectory, "signature-1"));

        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileMade0600_Is404AtTheNextRequest()
    {
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        File.SetUnixFileMode(_tree.Combine(SignatureDirectory, "signature-1"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileReplacedBySymlink_Is404AtTheNextRequest()
    {
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        File.Delete(_tree.Combine(SignatureDirectory, "signature-1"));
        File.CreateSymbolicLink(_tree.Combine(SignatureDirectory, "signature-1"), _outside.Combine("secret"));

        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_DirectorySwappedForSymlink_Is404AtTheNextRequest()
    {
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);

        // The same file, now reached through a symlinked directory: the tree refuses the path.
        Directory.Move(_tree.Combine(SignatureDirectory), _outside.Combine("moved"));
        Directory.CreateSymbolicLink(_tree.Combine(SignatureDirectory), _outside.Combine("moved"));

        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileRenumbered_ServesTheNewBytesAtTheNextRequest()
    {
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-2"), [9, 9, 9]);
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);

        // What deleting signature 1 does: signature 2 takes its place.
        var store = new SignatureStore(new FileSystemSigstoreTree(_tree.Path));
        await store.DeleteAsync(Oci.RepositoryName.Parse("k8s/pause"), Oci.Digest.Parse("sha256:" + Hex), 1, CancellationToken.None);

        await AssertServedAsync(server, Signature1, [9, 9, 9]);
        await AssertNotFoundAsync(server, "/" + SignatureDirectory + "/signature-2");
    }

    [Fact]
    public async Task Get_SignatureAddedAfterA404_IsServedAtOnce()
    {
        await using var server = await StartAsync();
        var path = "/" + SignatureDirectory + "/signature-2";
        await AssertNotFoundAsync(server, path);

        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-2"), [5, 6]);
        await AssertServedAsync(server, path, [5, 6]);
    }

    [Fact]
    public async Task Get_RootMovedAwayAndMadeAnew_ServesTheNewRootAtTheNextRequest()
    {
        // The tree keeps its root directory open between reads; a root path that names another directory now
        // (restored from a backup, moved and recreated) must be read from at once, while the old one still exists.
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        var old = _outside.Combine("old-root");
        Directory.Move(_tree.Path, old);
        Directory.CreateDirectory(_tree.Combine(SignatureDirectory));
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-1"), [4, 4]);

        await AssertServedAsync(server, Signature1, [4, 4]);
        Assert.True(File.Exists(Path.Combine(old, SignatureDirectory, "signature-1")));
    }

    [Fact]
    public async Task Get_RootRemoved_Is404AtTheNextRequest_AndServesAgainOnceItIsBack()
    {
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        Directory.Delete(_tree.Path, recursive: true);

        await AssertNotFoundAsync(server, Signature1);
        Directory.CreateDirectory(_tree.Combine(SignatureDirectory));
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-1"), [6]);
        await AssertServedAsync(server, Signature1, [6]);
    }

    [Fact]
    public async Task Get_RootReplacedBySymlinkToAnotherTree_ServesThatTree()
    {
        // The root path is configuration and may be a symlink; the directory it names now is the one served.
        await using var server = await StartAsync();
        await AssertServedAsync(server, Signature1, _signature);
        var other = _outside.Combine("other-root");
        Directory.CreateDirectory(Path.Combine(other, SignatureDirectory));
        File.WriteAllBytes(Path.Combine(other, SignatureDirectory, "signature-1"), [8, 1]);
        Directory.Delete(_tree.Path, recursive: true);
        Directory.CreateSymbolicLink(_tree.Path, other);

        await AssertServedAsync(server, Signature1, [8, 1]);
    }

    private Task<SigstoreServer> StartAsync() =>
        SigstoreServer.StartAsync(s => s.AddSingleton<ISigstoreTree>(new FileSystemSigstoreTree(_tree.Path)));

    private static async Task AssertServedAsync(SigstoreServer server, string path, byte[] expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative), timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync(timeout.Token));
    }

    private static async Task AssertNotFoundAsync(SigstoreServer server, string path)
    {
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

}
