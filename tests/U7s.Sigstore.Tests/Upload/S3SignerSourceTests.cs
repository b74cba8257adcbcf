using System.Net;
using System.Net.Sockets;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Tests.Upload;

/// <summary>The signer source contract on the replicas' bucket object, on the real S3 server.</summary>
[RequiresS3]
public sealed class S3SignerSourceTests : SignerSourceContract
{
    private S3TestStore? _store;

    public override async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [RequiresS3Fact]
    public async Task StoreThatCannotBeReached_IsAStorageFailure_NeverNoRights()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var bucket = S3Bucket.Open(new S3StorageOptions { Endpoint = $"http://127.0.0.1:{port}", Bucket = "u7s", RequestTimeout = TimeSpan.FromSeconds(2) });

        var e = await Assert.ThrowsAsync<StorageException>(() => new S3SignersSource(bucket).ReadOrNullAsync(default));

        Assert.True(e.IsUnavailable, e.Message);
    }

    protected override async Task<ISignerSource> CreateAsync()
    {
        _store = await S3TestStore.CreateAsync();
        return new S3SignersSource(_store.Bucket);
    }

    protected override Task PublishAsync(byte[] content) => _store!.Bucket.PutAsync(SignersDocument.S3Key, content, default);

    protected override Task RemoveAsync() => _store!.Bucket.DeleteAsync(SignersDocument.S3Key, default);
}
