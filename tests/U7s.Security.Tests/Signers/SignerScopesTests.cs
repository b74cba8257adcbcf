using U7s.Oci.Policy;
using U7s.Security.Signers;

namespace U7s.Security.Tests.Signers;

/// <summary>Rights from the authorization file only, and only while nobody else can write it.</summary>
public sealed class SignerScopesTests : IDisposable
{
    private static readonly DockerReference InScope = new("registry.local", "ns/app", "v1", null);
    private readonly TempDirectory _dir = new("u7s-scopes");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Signer_MaySignItsScopeOnly_WithTheKeyOfTheFile()
    {
        var path = TestSigners.Write(_dir.Combine("signers.json"), TestSigners.Policy(("registry.local/ns", "imagemaker"), ("registry.local/keyless", "ghost")), ("imagemaker", SampleKeys.SignerPublic));
        var rights = await new SignerScopes(new SignersFile(path)).ReadAsync(default);

        Assert.True(rights.MaySign("imagemaker", InScope));
        Assert.False(rights.MaySign("imagemaker", new DockerReference("registry.local", "elsewhere/app", "v1", null)));
        Assert.False(rights.MaySign("other", InScope));
        Assert.False(rights.MaySign("ghost", new DockerReference("registry.local", "keyless/app", "v1", null)));
        Assert.Equal(SampleKeys.SignerPublic, rights.KeyOrNull("imagemaker"));
        Assert.Null(rights.KeyOrNull("ghost"));
    }

    [Fact]
    public async Task GroupWritableOrInvalidOrMissingFile_GrantsNothing()
    {
        var path = TestSigners.Write(_dir.Combine("signers.json"), TestSigners.Policy(("registry.local/ns", "imagemaker")), ("imagemaker", SampleKeys.SignerPublic));
        var scopes = new SignerScopes(new SignersFile(path));
        Assert.True(await scopes.MaySignAsync("imagemaker", InScope, default));

        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.GroupWrite);
        Assert.False(await scopes.MaySignAsync("imagemaker", InScope, default));
        await Assert.ThrowsAsync<InvalidDataException>(() => new SignersFile(path).ReadOrNullAsync(default));

        File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~UnixFileMode.GroupWrite);
        await File.WriteAllTextAsync(path, "{\"policy\":{},\"keys\":{},\"extra\":1}");
        Assert.False(await scopes.MaySignAsync("imagemaker", InScope, default));

        File.Delete(path);
        Assert.Null(await new SignersFile(path).ReadOrNullAsync(default));
        Assert.False(await scopes.MaySignAsync("imagemaker", InScope, default));
    }
}
