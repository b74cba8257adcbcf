using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The contract every <see cref="IMetadataStore"/> backend must pass.</summary>
public abstract class MetadataStoreContract
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("contract/repo");
    private static readonly Digest A = Digest.Compute("a"u8);
    private static readonly Digest B = Digest.Compute("b"u8);
    private static readonly Digest C = Digest.Compute("c"u8);
    private static readonly RepositoryName Nested = RepositoryName.Parse("contract/repo/nested");

    protected abstract IMetadataStore Store { get; }

    [ContractFact]
    public async Task BlobLink_LinkCheckUnlink()
    {
        Assert.False(await Store.IsBlobLinkedAsync(Repo, A, default));
        await Store.LinkBlobAsync(Repo, A, default);
        await Store.LinkBlobAsync(Repo, A, default);
        Assert.True(await Store.IsBlobLinkedAsync(Repo, A, default));
        Assert.False(await Store.IsBlobLinkedAsync(RepositoryName.Parse("contract/other"), A, default));
        Assert.True(await Store.UnlinkBlobAsync(Repo, A, default));
        Assert.False(await Store.UnlinkBlobAsync(Repo, A, default));
        Assert.False(await Store.IsBlobLinkedAsync(Repo, A, default));
    }

    [ContractFact]
    public async Task Manifest_PutGetListDelete()
    {
        Assert.Null(await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        await Store.PutManifestAsync(Repo, B, MediaTypes.DockerManifestList, default);
        Assert.Equal(MediaTypes.OciManifest, await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        Assert.Equal(MediaTypes.DockerManifestList, await Store.GetManifestMediaTypeOrNullAsync(Repo, B, default));
        Assert.Equal(new[] { A, B }.OrderBy(d => d.Hex), (await Store.ListManifestsAsync(Repo, default).ToListAsync()).OrderBy(d => d.Hex));
        Assert.True(await Store.DeleteManifestAsync(Repo, A, default));
        Assert.False(await Store.DeleteManifestAsync(Repo, A, default));
        Assert.Null(await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
    }

    [ContractFact]
    public async Task Tags_SetResolveOverwriteDeleteListSorted()
    {
        Assert.Null(await Store.ListTagsOrNullAsync(Repo, default));
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        foreach (var t in new[] { "v2", "v10", "V1", "latest", "v1" })
        {
            await Store.SetTagAsync(Repo, Tag.Parse(t), A, default);
        }

        await Store.SetTagAsync(Repo, Tag.Parse("v2"), B, default);
        Assert.Equal(B, await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("v2"), default));
        Assert.Equal(A, await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("v1"), default));
        Assert.Equal(["V1", "latest", "v1", "v10", "v2"], await Store.ListTagsOrNullAsync(Repo, default));
        Assert.True(await Store.DeleteTagAsync(Repo, Tag.Parse("v1"), default));
        Assert.False(await Store.DeleteTagAsync(Repo, Tag.Parse("v1"), default));
        Assert.Null(await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("v1"), default));
    }

    [ContractFact]
    public async Task Repositories_OnlyThoseWithManifests_Sorted()
    {
        await Store.PutManifestAsync(RepositoryName.Parse("b/x"), A, MediaTypes.OciManifest, default);
        await Store.PutManifestAsync(RepositoryName.Parse("a"), A, MediaTypes.OciManifest, default);
        await Store.PutManifestAsync(RepositoryName.Parse("a/nested"), A, MediaTypes.OciManifest, default);
        await Store.LinkBlobAsync(RepositoryName.Parse("blobs-only"), A, default);
        Assert.Equal(["a", "a/nested", "b/x"], await Store.ListRepositoriesAsync(default));
    }

    [ContractFact]
    public async Task Referrers_AddListRemove()
    {
        Assert.Empty(await Store.ListReferrersAsync(Repo, A, default));
        var descriptor = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = B.ToString(), Size = 42, ArtifactType = "application/x-test", Annotations = new Dictionary<string, string> { ["k"] = "v" } };
        await Store.AddReferrerAsync(Repo, A, descriptor, default);
        var listed = Assert.Single(await Store.ListReferrersAsync(Repo, A, default));
        Assert.Equal(descriptor.Digest, listed.Digest);
        Assert.Equal(42, listed.Size);
        Assert.Equal("application/x-test", listed.ArtifactType);
        Assert.Equal("v", listed.Annotations!["k"]);
        await Store.RemoveReferrerAsync(Repo, A, B, default);
        Assert.Empty(await Store.ListReferrersAsync(Repo, A, default));
    }

    [ContractFact]
    public async Task UnknownRepository_NullOrEmptyEverywhere()
    {
        Assert.Null(await Store.ListTagsOrNullAsync(Repo, default));
        Assert.Null(await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("latest"), default));
        Assert.Null(await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        Assert.Empty(await Store.ListManifestsAsync(Repo, default).ToListAsync());
        Assert.Empty(await Store.ListReferrersAsync(Repo, A, default));
        Assert.Empty(await Store.ListRepositoriesAsync(default));
        Assert.False(await Store.IsBlobLinkedAsync(Repo, A, default));
        Assert.False(await Store.DeleteTagAsync(Repo, Tag.Parse("latest"), default));
        Assert.False(await Store.DeleteManifestAsync(Repo, A, default));
        Assert.False(await Store.UnlinkBlobAsync(Repo, A, default));
        await Store.RemoveReferrerAsync(Repo, A, B, default);
    }

    [ContractFact]
    public async Task ListTags_ParentOfNestedRepository_IsNull_NestedWithoutTags_IsEmpty()
    {
        await Store.PutManifestAsync(Nested, A, MediaTypes.OciManifest, default);
        Assert.Null(await Store.ListTagsOrNullAsync(Repo, default));
        Assert.Null(await Store.ListTagsOrNullAsync(RepositoryName.Parse("contract"), default));
        Assert.Equal([], await Store.ListTagsOrNullAsync(Nested, default));
    }

    [ContractFact]
    public async Task ListTags_RepositoryWithOnlyBlobLinks_IsEmpty()
    {
        await Store.LinkBlobAsync(Repo, A, default);
        Assert.Equal([], await Store.ListTagsOrNullAsync(Repo, default));
    }

    [ContractFact]
    public async Task ListTags_EveryTagCharacter_OrdinalOrder()
    {
        var longest = "t" + new string('x', 127);
        string[] pushed = ["a_b", "_x", "a", "A", "1", "a.b", "a-b", "Z", "_", longest, "a--b", "a..b"];
        foreach (var t in pushed)
        {
            await Store.SetTagAsync(Repo, Tag.Parse(t), A, default);
        }

        Assert.Equal(["1", "A", "Z", "_", "_x", "a", "a--b", "a-b", "a..b", "a.b", "a_b", longest], await Store.ListTagsOrNullAsync(Repo, default));
        Assert.Equal(A, await Store.ResolveTagOrNullAsync(Repo, Tag.Parse(longest), default));
    }

    [ContractFact]
    public async Task Tags_NotSharedBetweenParentAndNestedRepository()
    {
        await Store.SetTagAsync(Repo, Tag.Parse("parent"), A, default);
        await Store.SetTagAsync(Nested, Tag.Parse("child"), B, default);
        Assert.Equal(["parent"], await Store.ListTagsOrNullAsync(Repo, default));
        Assert.Equal(["child"], await Store.ListTagsOrNullAsync(Nested, default));
        Assert.Null(await Store.ResolveTagOrNullAsync(Nested, Tag.Parse("parent"), default));
        Assert.Null(await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("child"), default));
    }

    [ContractFact]
    public async Task DeleteTag_KeepsManifestAndOtherTags()
    {
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        await Store.SetTagAsync(Repo, Tag.Parse("one"), A, default);
        await Store.SetTagAsync(Repo, Tag.Parse("two"), A, default);
        Assert.True(await Store.DeleteTagAsync(Repo, Tag.Parse("one"), default));
        Assert.Equal(["two"], await Store.ListTagsOrNullAsync(Repo, default));
        Assert.Equal(MediaTypes.OciManifest, await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        Assert.True(await Store.DeleteTagAsync(Repo, Tag.Parse("two"), default));
        Assert.Equal([], await Store.ListTagsOrNullAsync(Repo, default));
    }

    [ContractFact]
    public async Task DeleteManifest_LeavesTagsAndReferrersToTheCaller()
    {
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        await Store.SetTagAsync(Repo, Tag.Parse("v1"), A, default);
        await Store.AddReferrerAsync(Repo, B, Referrer(A, "application/x-a"), default);
        Assert.True(await Store.DeleteManifestAsync(Repo, A, default));
        Assert.Equal(A, await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("v1"), default));
        Assert.Equal(A.ToString(), Assert.Single(await Store.ListReferrersAsync(Repo, B, default)).Digest);
        Assert.Empty(await Store.ListManifestsAsync(Repo, default).ToListAsync());
    }

    [ContractFact]
    public async Task Manifest_PutAgain_ListedOnce_LatestMediaTypeWins()
    {
        await Store.PutManifestAsync(Repo, A, MediaTypes.DockerManifest, default);
        await Store.PutManifestAsync(Repo, A, MediaTypes.DockerManifest, default);
        Assert.Equal([A], await Store.ListManifestsAsync(Repo, default).ToListAsync());
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        Assert.Equal(MediaTypes.OciManifest, await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        Assert.Equal([A], await Store.ListManifestsAsync(Repo, default).ToListAsync());
    }

    [ContractFact]
    public async Task Manifests_Sha512Digest_RoundTrips()
    {
        var sha512 = Digest.FromHash("sha512", SHA512.HashData("x"u8));
        await Store.PutManifestAsync(Repo, sha512, MediaTypes.OciManifest, default);
        await Store.SetTagAsync(Repo, Tag.Parse("long"), sha512, default);
        await Store.LinkBlobAsync(Repo, sha512, default);
        Assert.Equal([sha512], await Store.ListManifestsAsync(Repo, default).ToListAsync());
        Assert.Equal(sha512, await Store.ResolveTagOrNullAsync(Repo, Tag.Parse("long"), default));
        Assert.True(await Store.IsBlobLinkedAsync(Repo, sha512, default));
        Assert.False(await Store.IsBlobLinkedAsync(Repo, Digest.Parse($"sha256:{sha512.Hex[..64]}"), default));
    }

    [ContractFact]
    public async Task Links_OfNestedRepository_NotVisibleInParent()
    {
        await Store.PutManifestAsync(Nested, A, MediaTypes.OciManifest, default);
        await Store.LinkBlobAsync(Nested, B, default);
        await Store.PutManifestAsync(Repo, C, MediaTypes.OciManifest, default);
        Assert.Equal([C], await Store.ListManifestsAsync(Repo, default).ToListAsync());
        Assert.Equal([A], await Store.ListManifestsAsync(Nested, default).ToListAsync());
        Assert.Null(await Store.GetManifestMediaTypeOrNullAsync(Repo, A, default));
        Assert.False(await Store.IsBlobLinkedAsync(Repo, B, default));
        Assert.False(await Store.IsBlobLinkedAsync(RepositoryName.Parse("contract/repo/nested/deeper"), B, default));
    }

    [ContractFact]
    public async Task Repositories_NestedAtAnyDepth_OrdinalOrder_IntermediateNamesOmitted()
    {
        foreach (var name in new[] { "x/y/z", "a_b", "a0", "a/b", "a.b", "a-b", "a", "x/y", "deep/er/and/deeper/still" })
        {
            await Store.PutManifestAsync(RepositoryName.Parse(name), A, MediaTypes.OciManifest, default);
        }

        Assert.Equal(
            ["a", "a-b", "a.b", "a/b", "a0", "a_b", "deep/er/and/deeper/still", "x/y", "x/y/z"],
            await Store.ListRepositoriesAsync(default));
    }

    [ContractFact]
    public async Task Repositories_WhoseManifestsWereAllDeleted_NotListed()
    {
        await Store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        await Store.PutManifestAsync(Repo, B, MediaTypes.OciManifest, default);
        await Store.PutManifestAsync(Nested, A, MediaTypes.OciManifest, default);
        await Store.SetTagAsync(Repo, Tag.Parse("v1"), A, default);
        await Store.LinkBlobAsync(Repo, C, default);
        Assert.True(await Store.DeleteManifestAsync(Repo, A, default));
        Assert.Equal([Repo.Value, Nested.Value], await Store.ListRepositoriesAsync(default));
        Assert.True(await Store.DeleteManifestAsync(Repo, B, default));
        Assert.Equal([Nested.Value], await Store.ListRepositoriesAsync(default));
        Assert.True(await Store.DeleteManifestAsync(Nested, A, default));
        Assert.Empty(await Store.ListRepositoriesAsync(default));
    }

    [ContractFact]
    public async Task Referrers_PerSubjectAndRepository_AllListed()
    {
        await Store.AddReferrerAsync(Repo, A, Referrer(B, "application/x-b"), default);
        await Store.AddReferrerAsync(Repo, A, Referrer(C, "application/x-c"), default);
        await Store.AddReferrerAsync(Repo, B, Referrer(C, "application/x-other-subject"), default);
        await Store.AddReferrerAsync(Nested, A, Referrer(B, "application/x-nested"), default);

        var listed = await Store.ListReferrersAsync(Repo, A, default);
        Assert.Equal(
            new[] { (B.ToString(), "application/x-b"), (C.ToString(), "application/x-c") }.Order(),
            listed.Select(d => (d.Digest, d.ArtifactType!)).Order());
        Assert.Equal("application/x-other-subject", Assert.Single(await Store.ListReferrersAsync(Repo, B, default)).ArtifactType);
        Assert.Equal("application/x-nested", Assert.Single(await Store.ListReferrersAsync(Nested, A, default)).ArtifactType);
        Assert.Empty(await Store.ListReferrersAsync(Repo, C, default));

        await Store.RemoveReferrerAsync(Repo, A, B, default);
        Assert.Equal(C.ToString(), Assert.Single(await Store.ListReferrersAsync(Repo, A, default)).Digest);
        Assert.Single(await Store.ListReferrersAsync(Nested, A, default));
    }

    [ContractFact]
    public async Task Referrer_AddedAgain_ListedOnce_LatestDescriptor_RemoveTwiceIsHarmless()
    {
        await Store.AddReferrerAsync(Repo, A, Referrer(B, "application/x-first"), default);
        await Store.AddReferrerAsync(Repo, A, Referrer(B, "application/x-second"), default);
        var listed = Assert.Single(await Store.ListReferrersAsync(Repo, A, default));
        Assert.Equal("application/x-second", listed.ArtifactType);
        Assert.Null(listed.Annotations);
        await Store.RemoveReferrerAsync(Repo, A, B, default);
        await Store.RemoveReferrerAsync(Repo, A, B, default);
        Assert.Empty(await Store.ListReferrersAsync(Repo, A, default));
    }

    [ContractFact]
    public async Task BlobLink_AfterUnlink_LinksAgain()
    {
        await Store.LinkBlobAsync(Repo, A, default);
        Assert.True(await Store.UnlinkBlobAsync(Repo, A, default));
        await Store.LinkBlobAsync(Repo, A, default);
        Assert.True(await Store.IsBlobLinkedAsync(Repo, A, default));
    }

    [ContractFact]
    public async Task Changes_EachKindRaisedOnce_AfterItIsVisible_NoOpsRaiseNothing()
    {
        var feed = new StoreChangeFeed();
        var store = new ObservedMetadataStore(Store, feed);
        var v1 = Tag.Parse("v1");
        using var recorder = new StoreChangeRecorder(feed, async change => change.Kind switch
        {
            StoreChangeKind.ManifestPut => await Store.GetManifestMediaTypeOrNullAsync(change.Repository.GetValueOrDefault(), change.Digest!.Value, default) is not null,
            StoreChangeKind.ManifestDelete => await Store.GetManifestMediaTypeOrNullAsync(change.Repository.GetValueOrDefault(), change.Digest!.Value, default) is null,
            StoreChangeKind.TagSet => await Store.ResolveTagOrNullAsync(change.Repository.GetValueOrDefault(), change.Tag.GetValueOrDefault(), default) == change.Digest,
            StoreChangeKind.TagDelete => await Store.ResolveTagOrNullAsync(change.Repository.GetValueOrDefault(), change.Tag.GetValueOrDefault(), default) is null,
            _ => false,
        });

        await store.PutManifestAsync(Repo, A, MediaTypes.OciManifest, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.ManifestPut, Repo, A));
        await store.SetTagAsync(Repo, v1, A, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.TagSet, Repo, A, v1));
        await store.SetTagAsync(Repo, v1, B, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.TagSet, Repo, B, v1));
        Assert.True(await store.DeleteTagAsync(Repo, v1, default));
        recorder.AssertOnly(new StoreChange(StoreChangeKind.TagDelete, Repo, null, v1));
        Assert.True(await store.DeleteManifestAsync(Repo, A, default));
        recorder.AssertOnly(new StoreChange(StoreChangeKind.ManifestDelete, Repo, A));

        // Nothing was there to remove, and links and referrers change no manifest or tag.
        Assert.False(await store.DeleteTagAsync(Repo, v1, default));
        Assert.False(await store.DeleteManifestAsync(Repo, A, default));
        await store.LinkBlobAsync(Repo, C, default);
        await store.AddReferrerAsync(Repo, A, Referrer(B, "application/x-first"), default);
        recorder.AssertNone();
        Assert.Equal(5, feed.Version);
    }

    private static Descriptor Referrer(Digest digest, string artifactType) =>
        new() { MediaType = MediaTypes.OciManifest, Digest = digest.ToString(), Size = 100, ArtifactType = artifactType };
}
