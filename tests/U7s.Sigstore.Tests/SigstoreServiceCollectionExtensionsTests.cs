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

        Assert.Equal("/srv/sigstore/sigstore", provider.GetRequiredService<SignatureStore>().Root);
        Assert.IsType<BouncyCastleOpenPgp>(provider.GetRequiredService<IOpenPgp>());
        Assert.IsType<HttpManifestSource>(provider.GetRequiredService<IManifestSource>());
        Assert.NotNull(provider.GetRequiredService<ImageSigner>());
        Assert.NotNull(provider.GetRequiredService<SignatureVerifier>());
    }

    [Fact]
    public void AddSigstore_KeepsEarlierRegistrations()
    {
        var store = new SignatureStore("/elsewhere");
        var services = new ServiceCollection().AddSingleton(store);

        using var provider = services.AddSigstore(new SigstoreOptions()).BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<SignatureStore>());
    }
}
