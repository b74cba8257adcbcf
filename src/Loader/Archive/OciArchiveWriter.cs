using U7s.Loader.Layout;
using U7s.Loader.Xz;
using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// Writes the archive format of SPEC §1.1 (a ustar inside a multi-block xz) to a temp file next to
/// the destination; <see cref="CommitAsync"/> flushes it to disk and renames it into place.
/// Disposing without commit deletes the temp file, so a failed write leaves nothing behind.
/// </summary>
internal sealed class OciArchiveWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _file;
    private readonly XzEncoderStream _xz;
    private readonly UstarWriter _tar;
    private bool _committed;

    public OciArchiveWriter(string path, XzEncoderOptions? xzOptions = null)
    {
        _path = Path.GetFullPath(path);
        _tempPath = Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        _file = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        _xz = new XzEncoderStream(_file, xzOptions, leaveOpen: true);
        _tar = new UstarWriter(_xz);
    }

    /// <summary>Writes <c>&lt;arch&gt;/</c>, its <c>blobs/sha256/</c> directories and the oci-layout marker.</summary>
    public async Task BeginLayoutAsync(string architecture, CancellationToken cancellationToken)
    {
        await _tar.WriteDirectoryAsync($"{architecture}/", cancellationToken);
        await _tar.WriteDirectoryAsync($"{architecture}/blobs/", cancellationToken);
        await _tar.WriteDirectoryAsync($"{architecture}/blobs/sha256/", cancellationToken);
    }

    public Task WriteOciLayoutAsync(string architecture, CancellationToken cancellationToken) =>
        _tar.WriteFileAsync($"{architecture}/oci-layout", OciLayoutFile.Content, cancellationToken);

    public Task WriteIndexAsync(string architecture, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        _tar.WriteFileAsync($"{architecture}/index.json", content, cancellationToken);

    public Task WriteBlobAsync(string architecture, Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        _tar.WriteFileAsync(BlobPath(architecture, digest), content, cancellationToken);

    public Task WriteBlobAsync(string architecture, Digest digest, long size, Stream content, CancellationToken cancellationToken) =>
        _tar.WriteFileAsync(BlobPath(architecture, digest), size, content, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _tar.FinishAsync(cancellationToken);
        await _xz.FinishAsync(cancellationToken);
        await _file.FlushAsync(cancellationToken);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync();
        File.Move(_tempPath, _path, overwrite: false);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _xz.DisposeAsync();
        await _file.DisposeAsync();
        if (!_committed)
        {
            File.Delete(_tempPath);
        }
    }

    private static string BlobPath(string architecture, Digest digest) => $"{architecture}/blobs/{digest.Algorithm}/{digest.Hex}";
}
