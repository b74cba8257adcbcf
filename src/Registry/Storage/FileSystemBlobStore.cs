using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Blobs as files under <see cref="StoragePaths"/>. Uploads are written to their own directory and
/// published by rename, so a crash at any point leaves either no blob or a complete, verified one.
/// </summary>
internal sealed class FileSystemBlobStore : IBlobStore
{
    internal const int CopyBufferSize = 256 * 1024;

    private readonly ConcurrentDictionary<string, UploadState> _uploads = new(StringComparer.Ordinal);
    /// <summary>Temp files younger than this are never taken for a crash's leftovers, however short the upload expiry.</summary>
    private static readonly TimeSpan TempFileMinAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private int _legacyTempSwept;

    public FileSystemBlobStore(StoragePaths paths, TimeProvider time)
    {
        Paths = paths;
        _time = time;
        Directory.CreateDirectory(paths.Blobs);
        Directory.CreateDirectory(paths.Uploads);
    }

    internal StoragePaths Paths { get; }

    public Task<long?> GetSizeOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Paths.Blob(digest));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public Task<BlobContent?> OpenReadOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = Paths.Blob(digest);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<BlobContent?>(new BlobContent(stream, stream.Length, path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<BlobContent?>(null);
        }
    }

    public async Task<BlobCommitStatus> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var actual = Digest.FromHash(digest.Algorithm, digest.Algorithm == "sha512" ? SHA512.HashData(content.Span) : SHA256.HashData(content.Span));
        if (actual != digest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, $"content hashes to {actual}, not {digest}");
        }

        var path = Paths.Blob(digest);
        if (File.Exists(path))
        {
            await TouchAsync(digest, cancellationToken);
            return BlobCommitStatus.AlreadyExists;
        }

        await FileSync.WriteAtomicAsync(path, content, Paths.Uploads, cancellationToken);
        await TouchAsync(digest, cancellationToken);
        return BlobCommitStatus.Created;
    }

    public async Task<IBlobUpload> StartUploadAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var directory = Paths.Upload(id);
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "info"), Encoding.UTF8.GetBytes(repository.Value), cancellationToken);
        await using (File.Create(Path.Combine(directory, "data")))
        {
        }

        Touch(id);

        var state = new UploadState(this, id, repository);
        _uploads[id] = state;
        return state;
    }

    public async Task<IBlobUpload?> GetUploadOrNullAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!IsUploadId(uploadId))
        {
            return null;
        }

        var directory = Paths.Upload(uploadId);
        var data = new FileInfo(Path.Combine(directory, "data"));
        if (!data.Exists)
        {
            _uploads.TryRemove(uploadId, out _);
            return null;
        }

        if (_uploads.TryGetValue(uploadId, out var cached))
        {
            return cached;
        }

        // Not in memory: the server restarted since the upload began. The state on disk is enough.
        string repositoryText;
        try
        {
            repositoryText = await File.ReadAllTextAsync(Path.Combine(directory, "info"), cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (!RepositoryName.TryParse(repositoryText, out var repository))
        {
            return null;
        }

        return _uploads.GetOrAdd(uploadId, id => new UploadState(this, id, repository));
    }

    public Task<DateTimeOffset?> GetLastUsedOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Paths.Blob(digest));
        return Task.FromResult(info.Exists ? new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero) : (DateTimeOffset?)null);
    }

    public Task TouchAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            File.SetLastWriteTimeUtc(Paths.Blob(digest), _time.GetUtcNow().UtcDateTime);
        }
        catch (FileNotFoundException)
        {
            // Gone already: the caller's existence check answers for it.
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = Paths.Blob(digest);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        FileSync.FsyncDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<Digest> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var algorithmDir in Directory.EnumerateDirectories(Paths.Blobs))
        {
            var algorithm = Path.GetFileName(algorithmDir);
            foreach (var file in Directory.EnumerateFiles(algorithmDir, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest))
                {
                    yield return digest;
                }
            }
        }

        await Task.CompletedTask;
    }

    public Task<int> PurgeUploadsAsync(TimeSpan maxIdle, CancellationToken cancellationToken)
    {
        var purged = 0;
        var cutoff = _time.GetUtcNow().UtcDateTime - maxIdle;
        foreach (var directory in Directory.EnumerateDirectories(Paths.Uploads))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileName(directory);
            var data = new FileInfo(Path.Combine(directory, "data"));
            var lastActivity = data.Exists ? data.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(directory);
            if (lastActivity < cutoff)
            {
                _uploads.TryRemove(id, out _);
                TryDeleteDirectory(directory);
                purged++;
            }
        }

        // Temp files of writes a crash interrupted: every atomic write's under uploads/, and, once per start, those
        // earlier versions left beside their targets. A live temp file is milliseconds old.
        var tempCutoff = _time.GetUtcNow().UtcDateTime - (maxIdle > TempFileMinAge ? maxIdle : TempFileMinAge);
        purged += DeleteOldFiles(Directory.EnumerateFiles(Paths.Uploads, FileSync.TempPrefix + "*"), tempCutoff, cancellationToken);
        if (Interlocked.Exchange(ref _legacyTempSwept, 1) == 0 && Directory.Exists(Paths.Repositories))
        {
            purged += DeleteOldFiles(Directory.EnumerateFiles(Paths.Repositories, FileSync.LegacyTempPrefix + "*", SearchOption.AllDirectories), tempCutoff, cancellationToken);
        }

        return Task.FromResult(purged);
    }

    private static int DeleteOldFiles(IEnumerable<string> files, DateTime cutoff, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            if (info.Exists && info.LastWriteTimeUtc < cutoff)
            {
                info.Delete();
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Records activity on an upload with the store's clock, which the expiry compares against.</summary>
    internal void Touch(string id) => File.SetLastWriteTimeUtc(Path.Combine(Paths.Upload(id), "data"), _time.GetUtcNow().UtcDateTime);

    internal static bool IsUploadId(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    internal static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    internal void Forget(string id) => _uploads.TryRemove(id, out _);
}
