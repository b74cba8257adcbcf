using Microsoft.Extensions.DependencyInjection;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Tests;

public sealed class SigstoreServiceCollectionExtensionsTests
{
    [Fact]
    public void AddSigstore_ResolvesSigningServicesOverTheRoot()
    {
        using var provider = new ServiceCollection().AddSigstore(new SigstoreOptions { Root = "/srv/sigstore" }, "u7s 9").BuildServiceProvider();

        Assert.Equal("/srv/sigstore", Assert.IsType<FileSystemSigstoreTree>(provider.GetRequiredService<ISigstoreTree>()).Root);
        Assert.Same(provider.GetRequiredService<ISigstoreTree>(), provider.GetRequiredService<SignatureStore>().Tree);
        Assert.IsType<BouncyCastleOpenPgp>(provider.GetRequiredService<IOpenPgp>());
        Assert.IsType<HttpManifestSource>(provider.GetRequiredService<IManifestSource>());
        Assert.NotNull(provider.GetRequiredService<ImageSigner>());
        Assert.NotNull(provider.GetRequiredService<SignatureVerifier>());
    }

    [Fact]
    public void AddSigstore_KeepsEarlierRegistrations()
    {
        var store = new SignatureStore(new FileSystemSigstoreTree("/elsewhere"));
        var services = new ServiceCollection().AddSingleton(store);

        using var provider = services.AddSigstore(new SigstoreOptions()).BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<SignatureStore>());
    }

    [Fact]
    public void AddSigstore_UsesTheCallersTree()
    {
        var tree = new FileSystemSigstoreTree("/shared");
        var services = new ServiceCollection().AddSingleton<ISigstoreTree>(tree);

        using var provider = services.AddSigstore(new SigstoreOptions { Root = "/srv/sigstore" }).BuildServiceProvider();

        Assert.Same(tree, provider.GetRequiredService<ISigstoreTree>());
        Assert.Same(tree, provider.GetRequiredService<SignatureStore>().Tree);
    }
}
