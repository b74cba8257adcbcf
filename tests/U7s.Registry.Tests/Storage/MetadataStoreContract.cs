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
}
