using System.Net;
using System.Net.Sockets;
using U7s.Sigstore.Manifests;

namespace U7s.Cli.Tests.Loading;

/// <summary>The manifest source contract over HTTP, as <c>sign</c> and the kubeadm preflight read a registry.</summary>
public sealed class HttpManifestSourceContractTests : ManifestSourceContract, IDisposable
{
    private readonly HttpClient _http = new();

    protected override IManifestSource Source => new HttpManifestSource(_http, RegistryUrl);

    public void Dispose() => _http.Dispose();

    protected override Task<IManifestSource> UnreachableAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();
        return Task.FromResult<IManifestSource>(new HttpManifestSource(_http, closed));
    }
}
