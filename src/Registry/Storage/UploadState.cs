using System.Security.Cryptography;
using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// A filesystem upload. The running sha256 is kept in memory so a chunked upload is hashed once,
/// while copying; after a restart (or a failed chunk) it is rebuilt from the bytes on disk.
/// Operations on one upload are serialised; different uploads never wait for each other.
/// </summary>
// SemaphoreSlim needs disposing only once its wait handle is used, which never happens here; the hash is
// disposed when the upload ends.
#pragma warning disable CA1001
internal sealed class UploadState(FileSystemBlobStore store, string id, RepositoryName repository) : IBlobUpload
{
    /// <summary>Write-back is started every this many bytes (see <see cref="FileSync.StartWriteback"/>).</summary>
    private const long WritebackBytes = 8 * 1024 * 1024;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private IncrementalHash? _hash;
    private long _hashedLength = -1;

    // Set when the whole upload was read from a DigestCheckedStream that verified it: that stream's check stands
    // for the hash, as long as the file still has exactly that many bytes.
    private Digest? _checkedDigest;
    private long _checkedLength = -1;

    public string Id { get; } = id;

    public RepositoryName Repository { get; } = repository;

    public long Length => DataFile.Exists ? DataFile.Length : 0;

    private string Directory => store.Paths.Upload(Id);

    private string DataPath => Path.Combine(Directory, "data");

    private FileInfo DataFile => new(DataPath);

    public async Task<long> AppendAsync(Stream source, UploadChunk chunk, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var file = OpenData();
            var start = file.Length;
            chunk.CheckStart(start);
            _checkedDigest = null;

            // A whole blob from a stream that checks its own digest is hashed there, once; anything else here.
            var checkedSource = start == 0 ? source as DigestCheckedStream : null;
            if (checkedSource is null)
            {
                await EnsureHashAsync(file, start, cancellationToken);
            }
            else
            {
                ResetHash();
            }

            file.Position = start;
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FileSystemBlobStore.CopyBufferSize);
            try
            {
                long total = start;
                var writtenBack = start;
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, FileSystemBlobStore.CopyBufferSize), cancellationToken)) > 0)
                {
                    total += read;
                    chunk.CheckGrowth(start, total);

                    // The write runs on the I/O pool while this thread hashes the same (unchanging) buffer.
                    var write = file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    _hash?.AppendData(buffer, 0, read);
                    await write;
                    if (total - writtenBack >= WritebackBytes)
                    {
                        FileSync.StartWriteback(file.SafeFileHandle, writtenBack, total - writtenBack);
                        writtenBack = total;
                    }
                }

                chunk.CheckReceived(total - start);
                if (checkedSource is null)
                {
                    _hashedLength = total;
                }
                else if (checkedSource.IsVerified && total == checkedSource.ExpectedLength)
                {
                    _checkedDigest = checkedSource.Expected;
                    _checkedLength = total;
                }

                await file.FlushAsync(cancellationToken);
                store.Touch(Id);
                return total;
            }
            catch
            {
                // A failed or rejected chunk leaves the upload as it was before the chunk, so the client can resend it.
                file.SetLength(start);
                ResetHash();
                throw;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload was cancelled or has expired");
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<BlobCommitStatus> CommitAsync(Digest expected, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            Digest actual;
            await using (var file = OpenData())
            {
                if (_checkedDigest is { } checkedDigest && _checkedLength == file.Length)
                {
                    actual = checkedDigest;
                }
                else if (expected.Algorithm == "sha256")
                {
                    await EnsureHashAsync(file, file.Length, cancellationToken);
                    actual = Digest.FromSha256Hash(_hash!.GetCurrentHash());
                }
                else
                {
                    file.Position = 0;
                    using var sha512 = SHA512.Create();
                    actual = Digest.FromHash("sha512", await sha512.ComputeHashAsync(file, cancellationToken));
                }

                if (actual != expected)
                {
                    throw new OciException(OciErrorCode.DigestInvalid, $"uploaded content hashes to {actual}, not {expected}");
                }

                file.Flush(flushToDisk: true);
            }

            // Published as used now, not at the last append: a collection listing blobs meanwhile must see it fresh.
            store.Touch(Id);
            var target = store.Paths.Blob(expected);
            var targetDirectory = Path.GetDirectoryName(target)!;
            System.IO.Directory.CreateDirectory(targetDirectory);
            BlobCommitStatus status;
            try
            {
                File.Move(DataPath, target, overwrite: false);
                FileSync.FsyncDirectory(targetDirectory);
                status = BlobCommitStatus.Created;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Same digest, same bytes: the content-addressed copy already there is as good.
                status = BlobCommitStatus.AlreadyExists;
            }

            End();
            await store.TouchAsync(expected, cancellationToken);
            return status;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload was cancelled or has expired");
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task CancelAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            End();
        }
        finally
        {
            _lock.Release();
        }
    }

    private FileStream OpenData() =>
        new(DataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous);

    private void End()
    {
        FileSystemBlobStore.TryDeleteDirectory(Directory);
        ResetHash();
        store.Forget(Id);
    }

    private void ResetHash()
    {
        _checkedDigest = null;
        _checkedLength = -1;
        _hash?.Dispose();
        _hash = null;
        _hashedLength = -1;
    }

    /// <summary>Makes the running hash cover exactly the first <paramref name="length"/> bytes of the file.</summary>
    private async Task EnsureHashAsync(FileStream file, long length, CancellationToken cancellationToken)
    {
        if (_hash is not null && _hashedLength == length)
        {
            return;
        }

        ResetHash();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        file.Position = 0;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FileSystemBlobStore.CopyBufferSize);
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(remaining, FileSystemBlobStore.CopyBufferSize)), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                _hash.AppendData(buffer, 0, read);
                remaining -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        _hashedLength = length;
    }
}
#pragma warning restore CA1001
