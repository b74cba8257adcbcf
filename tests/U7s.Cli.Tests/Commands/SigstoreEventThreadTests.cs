using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// <c>u7s serve</c> runs socket completions on the runtime's event threads, and :81 serves a signature GET right
/// there; what is slow on :81 (a login's bcrypt) must leave those threads, or one upload stalls every read.
/// </summary>
public sealed class SigstoreEventThreadTests : IDisposable
{
    /// <summary>The name the runtime gives each socket event thread (one per core when completions are inline, else one).</summary>
    private const string EventThreadName = ".NET Sockets";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_RunsOneSocketEventThreadPerCore_UnlessTheEnvironmentSaysOtherwise()
    {
        await using (var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig")))
        {
            await TouchBothPortsAsync(server);
            Assert.Equal(Environment.ProcessorCount, EventThreads(server.Pid));
        }

        await using (var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "0" }))
        {
            await TouchBothPortsAsync(server);

            // The runtime's default: one event thread that hands every completion to the thread pool.
            Assert.Equal(1, EventThreads(server.Pid));
        }
    }

    /// <summary>
    /// On S3 the switch is off, even when the environment turns it on: the S3 client's continuations must not run on the
    /// event threads (a start with them there never finished). The store answers on both ports; the start warns.
    /// </summary>
    [RequiresS3Fact]
    public async Task Serve_OnS3_KeepsTheDefaultEventThread_EvenWhenAskedForInline_AndAnswers()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string>(s3.ServeEnvironment) { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" });
        await TouchBothPortsAsync(server);
        using var client = new HttpClient { BaseAddress = server.RegistryUrl };
        var image = await SmallImage.PushAsync(client, "inline/app", "1");
        Assert.Equal(image.Manifest, await client.GetStringAsync("/v2/inline/app/manifests/1"));
        Assert.Equal(1, EventThreads(server.Pid));
        await server.KillAsync();
        Assert.Contains("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 is ignored with S3 storage", await server.Errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// Failed logins on :81 each cost a full bcrypt check of the user's hash (cost 14 here: about a second each). Two
    /// per event thread run at once; a signature GET sent after them is answered before any of them is, because the
    /// checks run on the thread pool. Checked on the code before: the GET waited until a login was refused.
    /// </summary>
    [Fact]
    public async Task SlowFailedLogins_OnTheSignaturePort_DoNotHoldUpASignatureGet()
    {
        var sig = _dir.Combine("sig");
        var hex = Digest.Compute("image"u8).Hex;
        var signatureDirectory = Path.Combine(sig, "sigstore", "ns", $"app@sha256={hex}");
        Directory.CreateDirectory(signatureDirectory);
        await File.WriteAllBytesAsync(Path.Combine(signatureDirectory, "signature-1"), new byte[700]);
        var htpasswd = _dir.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, "bob:" + OpenBsdBCrypt.Generate("2y", "right".ToCharArray(), SecureRandom.GetNextBytes(new SecureRandom(), 16), 14) + "\n");
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), TestSigners.Policy(("registry.local/ns", "bob")), ("bob", SampleKeys.SignerPublic));
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), sig, new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__SIGNERS"] = signers,
        });
        await TouchBothPortsAsync(server);

        // Nodes keep their connections: readers connected (and served once) before the uploads arrive, one per event
        // thread at least. A new connection starts on the thread pool, which the bcrypt checks keep busy.
        var readers = Enumerable.Range(0, 2 * Math.Max(2, Environment.ProcessorCount)).Select(_ => new HttpClient { BaseAddress = server.SigstoreUrl, Timeout = TimeSpan.FromMinutes(2) }).ToList();
        try
        {
            await Task.WhenAll(readers.Select(ReadAsync));
            var uploads = Enumerable.Range(0, 2 * Math.Max(2, Environment.ProcessorCount)).Select(async _ =>
            {
                // A client of its own each: a connection of its own, so the uploads spread over every event thread.
                using var client = new HttpClient { BaseAddress = server.SigstoreUrl, Timeout = TimeSpan.FromMinutes(2) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("bob:wrong"u8.ToArray()));
                using var response = await client.PutAsync($"/sigstore/ns/app@sha256={hex}/signature", new ByteArrayContent([1, 2, 3]));
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                return Stopwatch.GetTimestamp();
            }).ToList();

            // Let every upload reach its bcrypt check, then read the signature again on every kept connection.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            var lastRead = (await Task.WhenAll(readers.Select(ReadAsync))).Max();
            var firstRefusal = (await Task.WhenAll(uploads)).Min();
            Assert.True(lastRead < firstRefusal, $"a signature GET waited {Stopwatch.GetElapsedTime(firstRefusal, lastRead).TotalMilliseconds:F0} ms past the first refused login");
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }

        async Task<long> ReadAsync(HttpClient client)
        {
            using var response = await client.GetAsync($"/sigstore/ns/app@sha256={hex}/signature-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return Stopwatch.GetTimestamp();
        }
    }

    private static async Task TouchBothPortsAsync(U7sProcess server)
    {
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(server.RegistryUrl, "/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(server.SigstoreUrl, "/sigstore/none/signature-1"))).StatusCode);
    }

    private static int EventThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == EventThreadName);
}
