using System.Diagnostics;
using System.Net;

namespace U7s.Bench;

/// <summary>Push and pull of many large blobs with a fixed number of parallel requests.</summary>
internal static class BlobWorkloads
{
    /// <summary>POST an upload, PUT the whole blob with its digest, for every blob of the set.</summary>
    public static async Task<Transfer> PushAsync(Uri registry, string repository, BlobSet blobs, int parallelism)
    {
        using var client = NewClient(registry);
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, blobs.Digests.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
        {
            using var post = await client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/", UriKind.Relative), null, ct);
            Expect(post, HttpStatusCode.Accepted);
            var location = post.Headers.Location!;
            var separator = location.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            using var content = blobs.Content(i);
            using var put = await client.PutAsync(new Uri($"{location.OriginalString}{separator}digest={blobs.Digests[i]}", UriKind.RelativeOrAbsolute), content, ct);
            Expect(put, HttpStatusCode.Created);
        });
        return new Transfer((long)blobs.Size * blobs.Digests.Length, watch.Elapsed);
    }

    /// <summary>
    /// Writes every blob of the set to its own file under <paramref name="directory"/>, as many at once as a push, each
    /// fsynced at its end before it counts, then deletes them: the rate this disk takes such writes, a reference beside a
    /// registry that answers a push only once the blob is on disk (one that starts writeback while it receives can beat it).
    /// </summary>
    public static async Task<Transfer> DiskWriteAsync(string directory, BlobSet blobs, int parallelism)
    {
        Directory.CreateDirectory(directory);
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, blobs.Digests.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
        {
            await using var file = new FileStream(Path.Combine(directory, blobs.Digests[i][7..]), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            using var content = blobs.Content(i);
            await content.CopyToAsync(file, ct);
            file.Flush(flushToDisk: true);
        });
        var elapsed = watch.Elapsed;
        Directory.Delete(directory, recursive: true);
        return new Transfer((long)blobs.Size * blobs.Digests.Length, elapsed);
    }

    /// <summary>
    /// GETs every blob (path built by <paramref name="pathOf"/>) and discards the bytes, the whole set again until
    /// <paramref name="minimum"/> has passed: a set the page cache serves in a fraction of a second would
    /// otherwise measure little but the start and the end of a few requests.
    /// </summary>
    public static async Task<Transfer> PullAsync(Uri server, Func<string, string> pathOf, BlobSet blobs, int parallelism, TimeSpan minimum)
    {
        using var client = NewClient(server);
        var watch = Stopwatch.StartNew();
        long total = 0;
        do
        {
            await Parallel.ForAsync(0, blobs.Digests.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
                Interlocked.Add(ref total, await PullOneAsync(client, pathOf(blobs.Digests[i]), blobs.Size, ct)));
        }
        while (watch.Elapsed < minimum);
        return new Transfer(total, watch.Elapsed);
    }

    /// <summary>
    /// <paramref name="parallelism"/> clients GET <paramref name="path"/> over and over (each at least once) until
    /// <paramref name="until"/> has completed; returns MiB/s.
    /// </summary>
    public static async Task<double> PullWhileAsync(Uri server, string path, long size, int parallelism, Task until)
    {
        using var client = NewClient(server);
        var watch = Stopwatch.StartNew();
        long total = 0;
        await Parallel.ForAsync(0, parallelism, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (_, ct) =>
        {
            do
            {
                Interlocked.Add(ref total, await PullOneAsync(client, path, size, ct));
            }
            while (!until.IsCompleted);
        });
        return new Transfer(total, watch.Elapsed).MiBPerSecond;
    }

    private static async Task<long> PullOneAsync(HttpClient client, string path, long size, CancellationToken ct)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
        Expect(response, HttpStatusCode.OK);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[256 * 1024];
        int read;
        long count = 0;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            count += read;
        }

        return count == size ? count : throw new InvalidOperationException($"pulled {count} bytes of a {size}-byte blob");
    }

    /// <summary>Deletes the pushed blobs again, so an S3 server that keeps its objects in RAM has room for the next round.</summary>
    public static async Task DeleteAsync(Uri registry, string repository, BlobSet blobs)
    {
        using var client = NewClient(registry);
        foreach (var digest in blobs.Digests)
        {
            using var response = await client.DeleteAsync(new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative));
            Expect(response, HttpStatusCode.Accepted);
        }
    }

    private static HttpClient NewClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}");
        }
    }
}
