using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Security.Signers;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Store;

namespace U7s.Sigstore.Tests.Http;

/// <summary>
/// The :81 server over a filesystem tree that members of <c>podman_dev</c> can write: what they plant
/// there (symlinks at any level, FIFOs, sockets, files kept from others) is never served, listed or
/// written through, against real Kestrel. Reads run with <c>openat2</c> and with the per-directory walk.
/// </summary>
public sealed class TreeSafetyTests : IDisposable
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private const string SignatureDirectory = "sigstore/k8s/pause@sha256=" + Hex;

    private readonly TempDirectory _tree = new("u7s-safe-tree");
    private readonly TempDirectory _outside = new("u7s-outside");

    public TreeSafetyTests()
    {
        Directory.CreateDirectory(_tree.Combine("keys", "old"));
        Directory.CreateDirectory(_tree.Combine(SignatureDirectory));
        File.WriteAllText(_tree.Combine("keys", "imagemaker.pgp"), "public");
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-1"), [0xA3, 1, 2, 3]);

        // Readable by everyone: only the symlink, never the mode, keeps these from being served.
        File.WriteAllText(_outside.Combine("secret"), "-----BEGIN PGP PRIVATE KEY BLOCK-----");
        Directory.CreateDirectory(_outside.Combine("app@sha256=" + Hex));
        File.WriteAllText(_outside.Combine("app@sha256=" + Hex, "signature-1"), "outside");
    }

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_SymlinkToAFileOutside_Is404(bool resolveInOneCall)
    {
        File.CreateSymbolicLink(_tree.Combine("keys", "stolen.pgp"), _outside.Combine("secret"));
        File.CreateSymbolicLink(_tree.Combine(SignatureDirectory, "signature-2"), _outside.Combine("secret"));
        File.CreateSymbolicLink(_tree.Combine(SignatureDirectory, "signature-3"), "signature-1");
        await using var server = await StartAsync(resolveInOneCall);

        await AssertNotFoundAsync(server, "/keys/stolen.pgp", $"/{SignatureDirectory}/signature-2", $"/{SignatureDirectory}/signature-3");
        await AssertServedAsync(server);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_ThroughASymlinkedDirectory_Is404(bool resolveInOneCall)
    {
        Directory.CreateSymbolicLink(_tree.Combine("sigstore", "evil"), _outside.Path);
        Directory.CreateSymbolicLink(_tree.Combine("sigstore", "k8s", "copy@sha256=" + Hex), _tree.Combine(SignatureDirectory));
        await using var server = await StartAsync(resolveInOneCall);

        await AssertNotFoundAsync(server,
            $"/sigstore/evil/app@sha256={Hex}/signature-1", "/sigstore/evil", "/sigstore/evil/", $"/sigstore/evil/app@sha256={Hex}/",
            $"/sigstore/k8s/copy@sha256={Hex}/signature-1");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_SymlinkToTheFilesystemRoot_Is404(bool resolveInOneCall)
    {
        Directory.CreateSymbolicLink(_tree.Combine("sigstore", "x"), "/");
        await using var server = await StartAsync(resolveInOneCall);

        await AssertNotFoundAsync(server, "/sigstore/x/etc/passwd", "/sigstore/x/etc/hostname", "/sigstore/x/", "/sigstore/x/etc/", "/sigstore/x");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_Fifo_AnswersPromptly_AndTheServerKeepsAnswering(bool resolveInOneCall)
    {
        var fifo = _tree.Combine(SignatureDirectory, "signature-2");
        await Fifo.CreateAsync(fifo);
        await using var server = await StartAsync(resolveInOneCall);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        try
        {
            // More requests than cores: each would hold a thread in open(2) until a writer came.
            var requests = Enumerable.Range(0, 8).Select(async i =>
            {
                using var request = new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Get : HttpMethod.Head, $"/{SignatureDirectory}/signature-2");
                using var response = await server.Client.SendAsync(request, timeout.Token);
                return response.StatusCode;
            });

            Assert.All(await Task.WhenAll(requests), s => Assert.Equal(HttpStatusCode.NotFound, s));
            await AssertNotFoundAsync(server, $"/{SignatureDirectory}/signature-2/");
            await AssertServedAsync(server);
        }
        finally
        {
            // Releases whatever a blocking server left stuck in open(2), so it can stop.
            Fifo.Unblock(fifo);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_SocketOrAFileKeptFromOthers_Is404(bool resolveInOneCall)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_tree.Combine("keys", "agent.sock")));
        File.WriteAllText(_tree.Combine("keys", "imagemaker.sec.asc"), "-----BEGIN PGP PRIVATE KEY BLOCK-----");
        File.SetUnixFileMode(_tree.Combine("keys", "imagemaker.sec.asc"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(_tree.Combine("keys", "group.pgp"), "group only");
        File.SetUnixFileMode(_tree.Combine("keys", "group.pgp"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        await using var server = await StartAsync(resolveInOneCall);

        await AssertNotFoundAsync(server, "/keys/agent.sock", "/keys/imagemaker.sec.asc", "/keys/group.pgp");
    }

    [Fact]
    public async Task Listing_ShowsOnlyWhatIsServed()
    {
        File.CreateSymbolicLink(_tree.Combine("keys", "stolen.pgp"), _outside.Combine("secret"));
        Directory.CreateSymbolicLink(_tree.Combine("keys", "elsewhere"), _outside.Path);
        Directory.CreateSymbolicLink(_tree.Combine("keys", "slash"), "/");
        await Fifo.CreateAsync(_tree.Combine("keys", "pipe.pgp"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_tree.Combine("keys", "agent.sock")));
        File.WriteAllText(_tree.Combine("keys", "imagemaker.sec.asc"), "secret");
        File.SetUnixFileMode(_tree.Combine("keys", "imagemaker.sec.asc"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var server = await StartAsync(resolveInOneCall: true);

        using var response = await server.Client.GetAsync(new Uri("/keys/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["old", "imagemaker.pgp"], json.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(6, json.RootElement[1].GetProperty("size").GetInt64());
    }

    [Theory]
    [InlineData("sigstore/ns/app@sha256={0}")]
    [InlineData("sigstore/ns")]
    [InlineData("sigstore")]
    public async Task Put_ThroughASymlinkedDirectory_Is409_AndWritesNothingOutside(string linked)
    {
        var manifest = new SignatureUploads.FixedManifestSource("{\"schemaVersion\":2}"u8.ToArray());
        var target = _outside.Combine("target");
        Directory.CreateDirectory(target);
        var link = _tree.Combine(string.Format(CultureInfo.InvariantCulture, linked, manifest.Digest.Hex));
        if (Directory.Exists(link))
        {
            Directory.Delete(link, recursive: true);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, target);
        var htpasswd = _outside.Combine("htpasswd");
        await SignatureUploads.WriteHtpasswdAsync(htpasswd, "imagemaker");
        var tree = new FileSystemSigstoreTree(_tree.Path);
        var signers = new SignersFile(TestSigners.Write(_outside.Combine("signers.json"), TestSigners.Policy(("registry.local/ns", "imagemaker")), ("imagemaker", SampleKeys.SignerPublic)));
        await using var server = await SigstoreServer.StartAsync(s => s.AddSingleton<ISigstoreTree>(tree).AddSingleton<IManifestSource>(manifest).AddSingleton<ISignerSource>(signers), o => o.HtpasswdPath = htpasswd);
        var path = "/sigstore/" + SignatureStore.RelativeDirectory(RepositoryName.Parse("ns/app"), manifest.Digest) + "/signature";

        var status = await SignatureUploads.PutAsync(server.Client, path, SignatureUploads.Sign("registry.local/ns/app:v1", manifest.Digest, DateTimeOffset.UtcNow), "imagemaker");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Empty(Directory.GetFileSystemEntries(target, "*", SearchOption.AllDirectories));
    }

    private async Task<SigstoreServer> StartAsync(bool resolveInOneCall) =>
        await SigstoreServer.StartAsync(s => s.AddSingleton<ISigstoreTree>(new FileSystemSigstoreTree(_tree.Path, resolveInOneCall)));

    private static async Task AssertNotFoundAsync(SigstoreServer server, params string[] paths)
    {
        foreach (var path in paths)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var request = new HttpRequestMessage(method, path);
                using var response = await server.Client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
                Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            }
        }
    }

    /// <summary>The real signature is still served: what is refused is refused alone.</summary>
    private static async Task AssertServedAsync(SigstoreServer server)
    {
        using var response = await server.Client.GetAsync(new Uri($"/{SignatureDirectory}/signature-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([0xA3, 1, 2, 3], await response.Content.ReadAsByteArrayAsync());
    }
}
