using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.Store;
using U7s.Security.Signers;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Tests.Http;

/// <summary>:81 over a store or a registry that does not answer: 503, never a 404 a pull would read as "no more signatures".</summary>
public sealed class StoreUnavailableTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task SilentStore_SignatureAndListing_Are503_WithinTheDeadline()
    {
        await using var silent = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }));
        using var bucket = new S3Bucket(
            new AmazonS3Client(new BasicAWSCredentials("access", "secret"), new AmazonS3Config { ServiceURL = silent.BaseAddress.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" }),
            "u7s",
            string.Empty,
            Deadline);
        await using var server = await SigstoreServer.StartAsync(s => s.AddSingleton<ISigstoreTree>(new S3SigstoreTree(bucket)));

        foreach (var path in new[] { $"/sigstore/app@sha256={Digest.Compute("m"u8).Hex}/signature-1", "/sigstore/", "/keys/bob.pgp" })
        {
            var clock = Stopwatch.StartNew();
            using var response = await server.Client.GetAsync(path);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
            Assert.InRange(clock.Elapsed, Deadline - TimeSpan.FromMilliseconds(50), Deadline + TimeSpan.FromSeconds(2));
        }
    }

    [Fact]
    public async Task Upload_WhoseManifestCannotBeChecked_Is503_AndWritesNothing()
    {
        using var work = new TempDirectory("u7s-upload-unavailable");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();
        using var http = new HttpClient();
        var htpasswd = work.Combine("htpasswd");
        await SignatureUploads.WriteHtpasswdAsync(htpasswd, "imagemaker");
        var signers = new SignersFile(TestSigners.Write(work.Combine("signers.json"), TestSigners.Policy(("registry.local/ns", "imagemaker")), ("imagemaker", SampleKeys.SignerPublic)));
        await using var server = await SigstoreServer.StartAsync(
            s => s.AddSingleton<IManifestSource>(new HttpManifestSource(http, closed)).AddSingleton<ISignerSource>(signers),
            o => o.HtpasswdPath = htpasswd);
        var digest = Digest.Compute("{\"schemaVersion\":2}"u8);

        var status = await SignatureUploads.PutAsync(
            server.Client,
            "/sigstore/" + SignatureStore.RelativeDirectory(RepositoryName.Parse("ns/app"), digest) + "/signature",
            SignatureUploads.Sign("registry.local/ns/app:v1", digest, DateTimeOffset.UtcNow),
            "imagemaker");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(Directory.Exists(Path.Combine(server.Root.Path, "sigstore")) && Directory.EnumerateFiles(Path.Combine(server.Root.Path, "sigstore"), "*", SearchOption.AllDirectories).Any());
    }
}
