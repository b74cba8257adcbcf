using Amazon.S3.Model;
using U7s.Sigstore.Store;

namespace U7s.S3.Sigstore;

/// <summary>An object of <see cref="S3SigstoreTree"/> being read: the GET response's body, in order.</summary>
internal sealed class S3TreeFile(GetObjectResponse response)
    : SigstoreTreeFile(response.ContentLength, response.LastModified is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        response.ResponseStream.ReadAsync(buffer, cancellationToken);

    protected override ValueTask DisposeAsyncCore()
    {
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
