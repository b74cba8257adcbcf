using U7s.Testing;

namespace U7s.Sigstore.Tests.Interop;

/// <summary>One GNUPGHOME per test class holding the sample keys (secret parts included), so gpg and skopeo can sign and verify.</summary>
public sealed class GnuPgFixture : IAsyncLifetime, IDisposable
{
    public GnuPgHome Home { get; } = new();

    public async Task InitializeAsync()
    {
        if (Tool.Find("gpg") is null)
        {
            return;
        }

        await Home.ImportAsync(SampleKeys.PathOf("signer.sec.asc"), SampleKeys.PathOf("protected.sec.asc"), SampleKeys.PathOf("subkey.sec.asc"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Home.Dispose();
}
