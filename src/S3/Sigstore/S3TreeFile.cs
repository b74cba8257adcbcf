using U7s.Sigstore.Store;

namespace U7s.S3.Sigstore;

/// <summary>An object of <see cref="S3SigstoreTree"/> being read: the GET's body, in order.</summary>
internal sealed class S3TreeFile(S3Download download) : SigstoreTreeFile(download.Length, download.LastModified == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : download.LastModified)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        download.Body.ReadAsync(buffer, cancellationToken);

    protected override ValueTask DisposeAsyncCore()
    {
        download.Dispose();
        return ValueTask.CompletedTask;
    }
}
