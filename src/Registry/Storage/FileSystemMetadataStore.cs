using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>Repository links as small files under <see cref="StoragePaths"/>; every write is temp file + rename.</summary>
internal sealed class FileSystemMetadataStore(StoragePaths paths) : IMetadataStore
{
    public async Task LinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        var path = paths.BlobLink(repository, digest);
        if (!File.Exists(path))
        {
            await FileSync.WriteAtomicAsync(path, ReadOnlyMemory<byte>.Empty, paths.Uploads, cancellationToken);
        }
    }

    public Task<bool> IsBlobLinkedAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(paths.BlobLink(repository, digest)));

    public Task<bool> UnlinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        Task.FromResult(DeleteFile(paths.BlobLink(repository, digest)));

    public async Task PutManifestAsync(RepositoryName repository, Digest digest, string mediaType, CancellationToken cancellationToken)
    {
        var path = paths.ManifestLink(repository, digest);
        var content = Encoding.UTF8.GetBytes(mediaType);
        if (File.Exists(path) && (await File.ReadAllBytesAsync(path, cancellationToken)).AsSpan().SequenceEqual(content))
        {
            return;
        }

        await FileSync.WriteAtomicAsync(path, content, paths.Uploads, cancellationToken);
    }

    public Task<string?> GetManifestMediaTypeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        Task.FromResult(LinkFile.ReadTextOrNull(paths.ManifestLink(repository, digest)));

    public Task<bool> DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        Task.FromResult(DeleteFile(paths.ManifestLink(repository, digest)));

    public async IAsyncEnumerable<Digest> ListManifestsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = paths.ManifestLinks(repository);
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var algorithmDir in Directory.EnumerateDirectories(root))
        {
            foreach (var file in Directory.EnumerateFiles(algorithmDir))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Digest.TryParse($"{Path.GetFileName(algorithmDir)}:{Path.GetFileName(file)}", out var digest))
                {
                    yield return digest;
                }
            }
        }

        await Task.CompletedTask;
    }

    public async Task SetTagAsync(RepositoryName repository, Tag tag, Digest digest, CancellationToken cancellationToken)
    {
        if (await ResolveTagOrNullAsync(repository, tag, cancellationToken) != digest)
        {
            await FileSync.WriteAtomicAsync(paths.Tag(repository, tag), Encoding.UTF8.GetBytes(digest.ToString()), paths.Uploads, cancellationToken);
        }
    }

    public Task<Digest?> ResolveTagOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        Task.FromResult(LinkFile.ReadTextOrNull(paths.Tag(repository, tag)) is { } text && Digest.TryParse(text, out var digest) ? digest : (Digest?)null);

    public Task<DateTimeOffset?> GetTagTimeOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken)
    {
        // The tag file is replaced by rename, never rewritten in place: its time is when it got its digest.
        var file = new FileInfo(paths.Tag(repository, tag));
        return Task.FromResult(file.Exists ? new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) : (DateTimeOffset?)null);
    }

    public Task<bool> DeleteTagAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        Task.FromResult(DeleteFile(paths.Tag(repository, tag)));

    public Task<IReadOnlyList<string>?> ListTagsOrNullAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        // The parent of a nested repository has a directory too, but nothing of its own ('_' entries).
        var root = paths.Repository(repository);
        if (!Directory.Exists(root) || !Directory.EnumerateDirectories(root, "_*").Any())
        {
            return Task.FromResult<IReadOnlyList<string>?>(null);
        }

        var directory = paths.Tags(repository);
        var tags = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).ToList()
            : [];
        tags.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>?>(tags);
    }

    public Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken)
    {
        var result = new List<string>();
        if (Directory.Exists(paths.Repositories))
        {
            Walk(paths.Repositories, string.Empty, result, cancellationToken);
        }

        result.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(result);
    }

    public async Task AddReferrerAsync(RepositoryName repository, Digest subject, Descriptor referrer, CancellationToken cancellationToken)
    {
        var path = paths.Referrer(repository, subject, Digest.Parse(referrer.Digest));
        await FileSync.WriteAtomicAsync(path, JsonSerializer.SerializeToUtf8Bytes(referrer, RegistryJsonContext.Default.Descriptor), paths.Uploads, cancellationToken);
    }

    public Task RemoveReferrerAsync(RepositoryName repository, Digest subject, Digest referrer, CancellationToken cancellationToken)
    {
        DeleteFile(paths.Referrer(repository, subject, referrer));
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken)
    {
        var directory = paths.Referrers(repository, subject);
        var result = new List<Descriptor>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            try
            {
                await using var stream = File.OpenRead(file);
                if (await JsonSerializer.DeserializeAsync(stream, RegistryJsonContext.Default.Descriptor, cancellationToken) is { } descriptor)
                {
                    result.Add(descriptor);
                }
            }
            catch (FileNotFoundException)
            {
                // Removed by a concurrent manifest delete.
            }
        }

        return result;
    }

    private static void Walk(string directory, string prefix, List<string> result, CancellationToken cancellationToken)
    {
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(child);
            if (name.StartsWith('_') || name.StartsWith('.'))
            {
                continue;
            }

            var full = prefix.Length == 0 ? name : $"{prefix}/{name}";
            var manifests = Path.Combine(child, "_manifests");
            if (Directory.Exists(manifests) && Directory.EnumerateFiles(manifests, "*", SearchOption.AllDirectories).Any(f => !Path.GetFileName(f).StartsWith('.')))
            {
                result.Add(full);
            }

            Walk(child, full, result, cancellationToken);
        }
    }

    private static bool DeleteFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }
}
