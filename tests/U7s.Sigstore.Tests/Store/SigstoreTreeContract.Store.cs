using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Http;

namespace U7s.Sigstore.Tests.Store;

/// <summary>The signature store, signer scopes and key publishing over the tree (SPEC §2.4 writer rules).</summary>
public abstract partial class SigstoreTreeContract
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("k8s-c10f1/pause");

    [ContractFact]
    public async Task Store_TwoReplicasAppendingConcurrently_NumberOneToTwentyWithoutGapsOrDuplicates()
    {
        var digest = Digest.Compute("concurrent"u8);
        var stores = new[] { new SignatureStore(Tree), new SignatureStore(OpenReplica()) };
        var signatures = Enumerable.Range(1, 20).Select(i => new[] { (byte)i, (byte)(i * 7) }).ToList();

        var results = await Task.WhenAll(signatures.Select((s, i) => Task.Run(() => stores[i % 2].AppendAsync(Repo, digest, s, default))));

        Assert.All(results, r => Assert.True(r.Created));
        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.Index).Order());
        var stored = await ListAsync(stores[0], digest);
        Assert.Equal(Enumerable.Range(1, 20), stored.Select(s => s.Index));
        Assert.Equal(signatures.Select(Convert.ToHexString).Order(), stored.Select(s => Convert.ToHexString(s.Content)).Order());
        Assert.Null(await Tree.OpenFileOrNullAsync(SignatureStore.TreePath(Repo, digest, 21), default));
        for (var i = 0; i < 20; i++)
        {
            // Each writer got the index its own bytes ended up at.
            Assert.Equal(signatures[i], stored[results[i].Index - 1].Content);
        }
    }

    [ContractFact]
    public async Task Store_SameSignatureFromTwoWriters_IsStoredOnce()
    {
        for (var round = 0; round < 10; round++)
        {
            var digest = Digest.Compute([(byte)round]);
            var stores = new[] { new SignatureStore(Tree), new SignatureStore(OpenReplica()) };
            var signature = new[] { (byte)0xA3, (byte)round };
            var start = new TaskCompletionSource();

            // Both writers wait at one gate so that they list the empty directory at about the same time.
            var writers = stores.Select(s => Task.Run(async () =>
            {
                await start.Task;
                return await s.AppendAsync(Repo, digest, signature, default);
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(writers);

            Assert.Single(results, r => r.Created);
            Assert.All(results, r => Assert.Equal(1, r.Index));
            Assert.Equal([signature], (await ListAsync(stores[0], digest)).Select(s => s.Content));
            Assert.Equal(new AppendResult(1, Created: false), await stores[1].AppendAsync(Repo, digest, signature, default));
        }
    }

    [ContractFact]
    public async Task Store_LosingTheRaceToTheSameSignature_DoesNotStoreItAgain()
    {
        var digest = Digest.Compute("lost race"u8);
        await new SignatureStore(Tree).AppendAsync(Repo, digest, new byte[] { 1 }, default);
        var store = new SignatureStore(new RaceAheadTree(Tree, races: 1));

        var result = await store.AppendAsync(Repo, digest, new byte[] { 2 }, default);

        Assert.Equal(new AppendResult(2, Created: false), result);
        Assert.Equal([(byte)1, (byte)2], (await ListAsync(store, digest)).Select(s => s.Content.Single()));
    }

    [ContractFact]
    public async Task Store_LosingRacesToOtherSignatures_TakesTheNextFreeIndex()
    {
        var digest = Digest.Compute("lost races"u8);
        var store = new SignatureStore(new RaceAheadTree(Tree, races: 2) { Rival = [9] });

        var result = await store.AppendAsync(Repo, digest, new byte[] { 2 }, default);

        Assert.Equal(new AppendResult(3, Created: true), result);
        Assert.Equal([(byte)9, (byte)9, (byte)2], (await ListAsync(store, digest)).Select(s => s.Content.Single()));
    }

    [ContractFact]
    public async Task Store_Delete_RenumbersWithoutGap()
    {
        var digest = Digest.Compute("delete"u8);
        var store = new SignatureStore(Tree);
        for (byte i = 1; i <= 4; i++)
        {
            await store.AppendAsync(Repo, digest, new[] { i }, default);
        }

        await new SignatureStore(OpenReplica()).DeleteAsync(Repo, digest, 2, default);

        Assert.Equal([(1, (byte)1), (2, (byte)3), (3, (byte)4)], (await ListAsync(store, digest)).Select(s => (s.Index, s.Content.Single())));
        Assert.Null(await Tree.OpenFileOrNullAsync(SignatureStore.TreePath(Repo, digest, 4), default));
        await Assert.ThrowsAsync<SignatureStoreException>(() => store.DeleteAsync(Repo, digest, 4, default));
        await Assert.ThrowsAsync<SignatureStoreException>(() => store.DeleteAsync(Repo, digest, 0, default));
        Assert.Equal(new AppendResult(4, Created: true), await store.AppendAsync(Repo, digest, new byte[] { 5 }, default));
    }

    [ContractFact]
    public async Task Store_Delete_WhenAnAppenderFillsTheGapFirst_StopsWithoutLosingASignature()
    {
        var digest = Digest.Compute("delete race"u8);
        for (byte i = 1; i <= 3; i++)
        {
            await new SignatureStore(Tree).AppendAsync(Repo, digest, new[] { i }, default);
        }

        await new SignatureStore(new RaceAheadTree(Tree, races: 1) { Rival = [7] }).DeleteAsync(Repo, digest, 2, default);

        Assert.Equal([(byte)1, (byte)7, (byte)3], (await ListAsync(new SignatureStore(Tree), digest)).Select(s => s.Content.Single()));
    }

    [ContractFact]
    public async Task Store_ListStopsAtTheFirstGap_AppendFillsIt()
    {
        var digest = Digest.Compute("gap"u8);
        var store = new SignatureStore(Tree);
        await Tree.WriteAsync(SignatureStore.TreePath(Repo, digest, 2), new byte[] { 2 }, default);

        Assert.Empty(await ListAsync(store, digest));
        Assert.Equal(new AppendResult(1, Created: true), await store.AppendAsync(Repo, digest, new byte[] { 1 }, default));
        Assert.Equal([1, 2], (await ListAsync(store, digest)).Select(s => s.Index));
    }

    [ContractFact]
    public async Task Store_EnforcesTheLimits()
    {
        var digest = Digest.Compute("limits"u8);
        var store = new SignatureStore(Tree);
        await Assert.ThrowsAsync<SignatureStoreException>(() => store.AppendAsync(Repo, digest, new byte[SignatureStore.MaxSignatureBytes + 1], default));
        await Assert.ThrowsAsync<SignatureStoreException>(() => store.AppendAsync(Repo, digest, Array.Empty<byte>(), default));
        await Task.WhenAll(Enumerable.Range(1, SignatureStore.MaxSignatures).Select(i => Tree.CreateIfAbsentAsync(SignatureStore.TreePath(Repo, digest, i), BitConverter.GetBytes(i), default)));

        var e = await Assert.ThrowsAsync<SignatureStoreException>(() => store.AppendAsync(Repo, digest, new byte[] { 9, 9, 9, 9, 9 }, default));

        Assert.Contains("128", e.Message, StringComparison.Ordinal);
        Assert.Null(await Tree.OpenFileOrNullAsync(SignatureStore.TreePath(Repo, digest, 129), default));
    }

    /// <summary>
    /// What a judge reads of the tree (<see cref="TreeSignatures"/>), on every backend: no more of a signature than one
    /// that could verify holds and one byte, a file containers/image would refuse to read named as such and not read,
    /// and nothing past the first gap.
    /// </summary>
    [ContractFact]
    public async Task TreeSignatures_ReadBounded_TooLargeNamedNotRead_StopAtTheFirstGap()
    {
        var digest = Digest.Compute("bounded"u8);
        var longOne = Enumerable.Range(0, SignedMessageReader.MaxMessageBytes + 5000).Select(i => (byte)i).ToArray();
        await Tree.WriteAsync(SignatureStore.TreePath(Repo, digest, 1), new byte[] { 1, 2, 3 }, default);
        await Tree.WriteAsync(SignatureStore.TreePath(Repo, digest, 2), longOne, default);
        await Tree.WriteAsync(SignatureStore.TreePath(Repo, digest, 3), new byte[SignatureStore.MaxSignatureBytes + 1], default);
        await Tree.WriteAsync(SignatureStore.TreePath(Repo, digest, 5), new byte[] { 4 }, default);

        var listed = new List<SignatureBlob>();
        await foreach (var signature in new TreeSignatures(Tree, "root").ListAsync(Repo, digest, default))
        {
            listed.Add(signature);
        }

        Assert.Equal([1, 2, 3], listed.Select(s => s.Index));
        Assert.Equal([1, 2, 3], listed[0].Content);
        Assert.Equal(longOne[..(SignedMessageReader.MaxMessageBytes + 1)], listed[1].Content);
        Assert.Null(listed[2].Content);
        Assert.Contains("larger than 4 MiB", listed[2].Problem, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task PublishedKey_IsServedFromEveryReplica()
    {
        Assert.Equal("keys/imagemaker.pgp", await PublicKeyPublisher.PublishAsync(Tree, "imagemaker", SampleKeys.SignerPublic, default));

        Assert.Equal(SampleKeys.SignerPublic, await OpenReplica().ReadAllOrNullAsync("keys/imagemaker.pgp", 1 << 20, default));
        await Assert.ThrowsAsync<KeyStoreException>(() => PublicKeyPublisher.PublishAsync(Tree, "../etc", SampleKeys.SignerPublic, default));
    }

    [ContractFact]
    public async Task Store_Changes_SignaturePutAndDelete_RaisedOnce_AfterTheyAreVisible()
    {
        var digest = Digest.Compute("changes"u8);
        var feed = new StoreChangeFeed();
        var store = new SignatureStore(Tree, feed);
        var reader = new SignatureStore(OpenReplica());
        var expectedCount = 0;
        using var recorder = new StoreChangeRecorder(feed, async change => (await ListAsync(reader, change.Digest!.Value)).Count == expectedCount);

        expectedCount = 1;
        Assert.True((await store.AppendAsync(Repo, digest, new byte[] { 1, 1 }, default)).Created);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.SignaturePut, Repo, digest));
        expectedCount = 2;
        await store.AppendAsync(Repo, digest, new byte[] { 2, 2 }, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.SignaturePut, Repo, digest));

        // Already there: nothing changed, nothing raised.
        Assert.False((await store.AppendAsync(Repo, digest, new byte[] { 1, 1 }, default)).Created);
        recorder.AssertNone();

        // One delete, renumbering included, is one change, raised once the list is whole again.
        expectedCount = 1;
        await store.DeleteAsync(Repo, digest, 1, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.SignatureDelete, Repo, digest));
        await Assert.ThrowsAsync<SignatureStoreException>(() => store.DeleteAsync(Repo, digest, 5, default));
        recorder.AssertNone();
    }

    [ContractFact]
    public async Task Store_AnObserverThatThrows_DoesNotFailTheWrite_OthersStillHearOfIt()
    {
        var digest = Digest.Compute("failing observer"u8);
        var failures = new List<Exception>();
        var feed = new StoreChangeFeed(failures.Add);
        using var failing = feed.Subscribe(_ => throw new InvalidOperationException("observer broke"));
        var heard = 0;
        using var counting = feed.Subscribe(_ => heard++);

        var result = await new SignatureStore(Tree, feed).AppendAsync(Repo, digest, new byte[] { 7 }, default);

        Assert.Equal(new AppendResult(1, Created: true), result);
        Assert.Equal([7], Assert.Single(await ListAsync(new SignatureStore(OpenReplica()), digest)).Content);
        Assert.Equal(1, heard);
        Assert.Equal("observer broke", Assert.Single(failures).Message);
        Assert.Equal(1, feed.ObserverFailures);
    }

    private static async Task<List<StoredSignature>> ListAsync(SignatureStore store, Digest digest)
    {
        var list = new List<StoredSignature>();
        await foreach (var s in store.ListAsync(Repo, digest, default))
        {
            list.Add(s);
        }

        return list;
    }
}
