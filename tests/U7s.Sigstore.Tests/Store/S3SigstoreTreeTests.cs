using U7s.Oci;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Sigstore.Keys;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Tests.Store;

/// <summary>The tree contract on the real S3 server (radosgw), replicas being separate clients over one prefix.</summary>
[RequiresS3]
public sealed class S3SigstoreTreeTests : SigstoreTreeContract
{
    private readonly List<S3Bucket> _replicas = [];
    private S3TestStore? _store;

    protected override async Task<ISigstoreTree> CreateTreeAsync()
    {
        _store = await S3TestStore.CreateAsync();
        return new S3SigstoreTree(_store.Bucket);
    }

    protected override ISigstoreTree OpenReplica()
    {
        var bucket = _store!.OpenReplica();
        _replicas.Add(bucket);
        return new S3SigstoreTree(bucket);
    }

    protected override async ValueTask DisposeTreeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Client.Dispose();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [RequiresS3Fact]
    public async Task Keys_AreTheTreePathsUnderSigstore()
    {
        var digest = Digest.Compute("keys"u8);
        await PublicKeyPublisher.PublishAsync(Tree, "x", "k"u8.ToArray(), default);
        await Tree.WriteAsync("index.html", "<html/>"u8.ToArray(), default);
        await new SignatureStore(Tree).AppendAsync(RepositoryName.Parse("k8s-c10f1/pause"), digest, new byte[] { 1 }, default);

        var keys = new List<string>();
        await foreach (var o in _store!.Bucket.ListAsync(string.Empty, default))
        {
            keys.Add(o.Key);
        }

        Assert.Equal(["sigstore/index.html", "sigstore/keys/x.pgp", $"sigstore/sigstore/k8s-c10f1/pause@sha256={digest.Hex}/signature-1"], keys);
    }

    [RequiresS3Fact]
    public async Task Listing_SkipsFolderMarkers_AndGivesSubdirectoriesTheListingTime()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2023, 5, 23, 5, 40, 0, TimeSpan.Zero));
        var tree = new S3SigstoreTree(_store!.Bucket, clock);
        await _store.Bucket.PutAsync("sigstore/keys/", Array.Empty<byte>(), default);
        await tree.WriteAsync("keys/old/retired.pgp", "r"u8.ToArray(), default);

        var entry = Assert.Single((await tree.ListDirectoryOrNullAsync("keys", default))!);

        Assert.Equal(new SigstoreTreeEntry("old", IsDirectory: true, clock.GetUtcNow(), Length: null), entry);
    }
}
