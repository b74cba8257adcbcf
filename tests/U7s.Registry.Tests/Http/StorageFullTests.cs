using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>The registry's data root on a real filesystem that fills up (a 2 MiB tmpfs): the kernel's ENOSPC, answered clearly.</summary>
public sealed class StorageFullTests
{
    private const int Disk = 2 * 1024 * 1024;

    [RequiresTmpfsFact]
    public async Task Writes_OnAFullDisk_Are507StorageFull_Logged_NothingHalfWritten_AndWorkAgainOnceFreed()
    {
        await using var disk = await TmpfsMount.CreateAsync(Disk);
        var server = new RegistryServer();
        server.Options.DataRoot = disk.Path;
        await server.InitializeAsync();
        try
        {
            var client = server.Client;
            var image = await client.PushImageBlobsAsync("full/app", layerSize: 1000);

            // A blob larger than the disk, in one request.
            var big = RandomNumberGenerator.GetBytes(Disk + (512 * 1024));
            using (var single = await client.PostAsync($"/v2/full/app/blobs/uploads/?digest={Digest.Compute(big)}", new ByteArrayContent(big)))
            {
                await AssertStorageFullAsync(single);
            }

            using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/full/app/blobs/{Digest.Compute(big)}")))
            {
                Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            }

            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(disk.Path, "uploads")));

            // A chunked upload: the chunk that does not fit is refused, the one before it stays.
            using var post = await client.PostAsync("/v2/full/app/blobs/uploads/", null);
            using (var fits = await client.PatchAsync(post.Headers.Location, new ByteArrayContent(RandomNumberGenerator.GetBytes(500_000))))
            {
                Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
            }

            using (var overflows = await client.PatchAsync(post.Headers.Location, new ByteArrayContent(RandomNumberGenerator.GetBytes(Disk))))
            {
                await AssertStorageFullAsync(overflows);
            }

            using (var status = await client.GetAsync(post.Headers.Location))
            {
                Assert.Equal("0-499999", status.Header("Range"));
            }

            // Every byte taken by another file: even a manifest does not fit; freed, it does.
            var filler = Path.Combine(disk.Path, "filler");
            FillUp(filler);
            using (var manifest = await client.PutManifestAsync("full/app", "v1", image.Manifest))
            {
                await AssertStorageFullAsync(manifest);
            }

            File.Delete(filler);
            using (var manifest = await client.PutManifestAsync("full/app", "v1", image.Manifest))
            {
                Assert.Equal(HttpStatusCode.Created, manifest.StatusCode);
            }

            Assert.Equal(image.Manifest, await client.GetStringAsync("/v2/full/app/manifests/v1"));
            Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(disk.Path, "uploads")), f => Path.GetFileName(f).StartsWith('.'));
            var logged = server.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
            Assert.Equal(3, logged.Count);
            Assert.All(logged, e => Assert.StartsWith("Storage is full: ", e.Message, StringComparison.Ordinal));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task AssertStorageFullAsync(HttpResponseMessage response)
    {
        await response.AssertErrorAsync(HttpStatusCode.InsufficientStorage, "DENIED");
        Assert.Contains("registry storage is full", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Writes <paramref name="path"/> until the filesystem refuses another byte.</summary>
    private static void FillUp(string path)
    {
        var block = new byte[4096];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
