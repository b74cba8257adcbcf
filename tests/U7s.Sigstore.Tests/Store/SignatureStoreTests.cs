using U7s.Oci;
using U7s.Sigstore.Store;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Store;

public sealed class SignatureStoreTests : IDisposable
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("k8s-c10f1/pause");
    private static readonly Digest Digest = Digest.Compute("manifest"u8);
    private readonly TempDirectory _temp = new();
    private readonly SignatureStore _store;

    public SignatureStoreTests() => _store = new SignatureStore(new FileSystemSigstoreTree(_temp.Path));

    private string SigstoreDirectory => _temp.Combine("sigstore");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("k8s-c10f1/kube-apiserver", 1, "k8s-c10f1/kube-apiserver@sha256={0}/signature-1")]
    [InlineData("pause", 12, "pause@sha256={0}/signature-12")]
    [InlineData("a/b/c", 128, "a/b/c@sha256={0}/signature-128")]
    public void RelativePath_FollowsLookasideLayout(string repo, int index, string expected) =>
        Assert.Equal(string.Format(expected, Digest.Hex), SignatureStore.RelativePath(RepositoryName.Parse(repo), Digest, index));

    [Fact]
    public void RelativePath_Sha512_UsesAlgorithmName()
    {
        var d = Digest.Parse("sha512:" + new string('a', 128));
        Assert.Equal("x/y@sha512=" + d.Hex + "/signature-1", SignatureStore.RelativePath(RepositoryName.Parse("x/y"), d, 1));
    }

    [Fact]
    public void RelativePath_IndexZero_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SignatureStore.RelativePath(Repo, Digest, 0));

    [Fact]
    public async Task AppendAsync_NumbersFromOneAndSetsModes()
    {
        var first = await _store.AppendAsync(Repo, Digest, new byte[] { 1 }, default);
        var second = await _store.AppendAsync(Repo, Digest, new byte[] { 2 }, default);

        Assert.Equal(new AppendResult(1, true), first);
        Assert.Equal(new AppendResult(2, true), second);
        var dir = Path.Combine(SigstoreDirectory, SignatureStore.RelativeDirectory(Repo, Digest));
        Assert.Equal([1], await File.ReadAllBytesAsync(Path.Combine(dir, "signature-1")));
        Assert.Equal(["signature-1", "signature-2"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("644", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(dir, "signature-2")), 8));
        Assert.Equal("2775", Convert.ToString((int)File.GetUnixFileMode(dir), 8));
        Assert.Equal("2775", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(SigstoreDirectory, "k8s-c10f1")), 8));
        Assert.Equal("2775", Convert.ToString((int)File.GetUnixFileMode(SigstoreDirectory), 8));
    }

    [Fact]
    public async Task AppendAsync_IdenticalBytes_AreNotWrittenTwice()
    {
        await _store.AppendAsync(Repo, Digest, new byte[] { 1 }, default);
        await _store.AppendAsync(Repo, Digest, new byte[] { 2 }, default);

        var again = await _store.AppendAsync(Repo, Digest, new byte[] { 2 }, default);

        Assert.Equal(new AppendResult(2, false), again);
        Assert.Equal(2, await CountAsync());
    }

    [Fact]
    public async Task AppendAsync_FillsGapAtFirstFreeIndex()
    {
        await _store.AppendAsync(Repo, Digest, new byte[] { 1 }, default);
        var dir = Path.Combine(SigstoreDirectory, SignatureStore.RelativeDirectory(Repo, Digest));
        await File.WriteAllBytesAsync(Path.Combine(dir, "signature-3"), [3]);

        var result = await _store.AppendAsync(Repo, Digest, new byte[] { 2 }, default);

        Assert.Equal(2, result.Index);
        Assert.Equal([3], await File.ReadAllBytesAsync(Path.Combine(dir, "signature-3")));
    }

    [Fact]
    public async Task AppendAsync_Concurrent_NeverOverwrites()
    {
        var blobs = Enumerable.Range(1, 24).Select(i => new[] { (byte)i }).ToList();

        var results = await Task.WhenAll(blobs.Select(b => Task.Run(() => _store.AppendAsync(Repo, Digest, b, default))));

        Assert.Equal(Enumerable.Range(1, 24), results.Select(r => r.Index).Order());
        var stored = new List<byte>();
        await foreach (var s in _store.ListAsync(Repo, Digest, default))
        {
            stored.Add(s.Content.Single());
        }

        Assert.Equal(blobs.Select(b => b[0]).Order(), stored.Order());
        Assert.Empty(Directory.GetFiles(Path.Combine(SigstoreDirectory, SignatureStore.RelativeDirectory(Repo, Digest)), ".u7s-tmp-*"));
    }

    [Fact]
    public async Task AppendAsync_EnforcesLimits()
    {
        await Assert.ThrowsAsync<SignatureStoreException>(() => _store.AppendAsync(Repo, Digest, new byte[SignatureStore.MaxSignatureBytes + 1], default));
        for (var i = 0; i < SignatureStore.MaxSignatures; i++)
        {
            await _store.AppendAsync(Repo, Digest, BitConverter.GetBytes(i), default);
        }

        var e = await Assert.ThrowsAsync<SignatureStoreException>(() => _store.AppendAsync(Repo, Digest, new byte[] { 9, 9, 9, 9, 9 }, default));
        Assert.Contains("128", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_RenumbersWithoutGap()
    {
        for (byte i = 1; i <= 4; i++)
        {
            await _store.AppendAsync(Repo, Digest, new[] { i }, default);
        }

        await _store.DeleteAsync(Repo, Digest, 2, default);

        var left = new List<(int, byte)>();
        await foreach (var s in _store.ListAsync(Repo, Digest, default))
        {
            left.Add((s.Index, s.Content[0]));
        }

        Assert.Equal([(1, (byte)1), (2, (byte)3), (3, (byte)4)], left);
        await Assert.ThrowsAsync<SignatureStoreException>(() => _store.DeleteAsync(Repo, Digest, 4, default));
    }

    [Fact]
    public async Task ListAsync_StopsAtFirstGap()
    {
        var dir = Path.Combine(SigstoreDirectory, SignatureStore.RelativeDirectory(Repo, Digest));
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, "signature-2"), [2]);

        Assert.Equal(0, await CountAsync());
    }

    private async Task<int> CountAsync()
    {
        var n = 0;
        await foreach (var _ in _store.ListAsync(Repo, Digest, default))
        {
            n++;
        }

        return n;
    }
}
