using System.Text.Json;
using U7s.Cluster.Kubeadm;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// Two real Debian docker-registry processes playing upstream for one Kubernetes release: one is registry.k8s.io,
/// one docker.io, both with <c>auth: token</c> and a test token service that hands out anonymous pull tokens (as the
/// real ones do) and push tokens to a login. Each is reached through a <see cref="ForwardingProxy"/>, the mirror the
/// tests point <c>save-oci --mirror</c> at, which counts downloads and can turn hostile. Every image of the release
/// is seeded as a two-architecture image index of tiny images, under the upstream names the built-in table uses.
/// </summary>
public sealed class UpstreamRegistriesFixture : IAsyncLifetime
{
    public const string Version = "v1.27.16";
    public const string Pusher = "pusher";
    public const string Password = "upstream-Pw-5521";

    private readonly List<IAsyncDisposable> _owned = [];

    public TempDirectory Temp { get; } = new("u7s-upstream");

    public TokenIssuer K8sIssuer { get; private set; } = null!;

    public ForwardingProxy K8s { get; private set; } = null!;

    public ForwardingProxy Docker { get; private set; } = null!;

    /// <summary>
    /// Per archive ref name (<c>k8s-c10f1/pause:3.9</c>), the config digests of its amd64 and arm64 images. skopeo
    /// compresses the layers as it pushes, as upstream images are, so the archive holds new manifests; the configs stay.
    /// </summary>
    public Dictionary<string, (string Amd64, string Arm64)> Configs { get; } = [];

    /// <summary>The two <c>--mirror</c> options pointing upstream names at the proxies.</summary>
    public string[] MirrorArgs => ["--mirror", $"registry.k8s.io={K8s.BaseAddress}", "--mirror", $"docker.io={Docker.BaseAddress}"];

    /// <summary>An auth file without entries: the run sees no login of the machine it runs on.</summary>
    public string EmptyAuthFile => Temp.Combine("empty-auth.json");

    public async Task InitializeAsync()
    {
        if (Tool.Find("docker-registry") is null || Tool.Find("skopeo") is null)
        {
            return;
        }

        await File.WriteAllTextAsync(EmptyAuthFile, "{\"auths\":{}}");
        var users = new Dictionary<string, string> { [Pusher] = Password };
        K8sIssuer = Own(await TokenIssuer.StartAsync(users));
        var k8sRegistry = Own(await DebianDockerRegistry.StartAsync(K8sIssuer.RegistryAuth));
        var dockerIssuer = Own(await TokenIssuer.StartAsync(users));
        var dockerRegistry = Own(await DebianDockerRegistry.StartAsync(dockerIssuer.RegistryAuth));
        K8s = Own(await ForwardingProxy.StartAsync(new Uri($"http://{k8sRegistry.HostPort}/")));
        Docker = Own(await ForwardingProxy.StartAsync(new Uri($"http://{dockerRegistry.HostPort}/")));

        using var tools = new ContainerTools();
        Assert.True(KubernetesVersion.TryParse(Version, out var version));
        foreach (var image in KubeadmImages.Upstream(version!)!)
        {
            var host = image.Source.StartsWith("registry.k8s.io/", StringComparison.Ordinal) ? k8sRegistry.HostPort : dockerRegistry.HostPort;
            var target = $"docker://{host}/{image.Source[(image.Source.IndexOf('/', StringComparison.Ordinal) + 1)..]}";
            var layout = tools.NewDirectory("layout");
            TestImageLayout.WriteMultiArch(layout, "img", $"{image.Name} {image.Tag}");
            (await tools.SkopeoAsync("--policy", tools.AnyPolicy, "copy", "-q", "--all", "--dest-tls-verify=false", "--dest-creds", $"{Pusher}:{Password}", $"oci:{layout}:img", target))
                .EnsureSuccess($"skopeo copy {target}");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", IndexDigest(layout)[7..])));
            string Config(string arch)
            {
                var manifest = doc.RootElement.GetProperty("manifests").EnumerateArray().Single(m => m.GetProperty("platform").GetProperty("architecture").GetString() == arch);
                using var child = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", manifest.GetProperty("digest").GetString()![7..])));
                return child.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
            }

            Configs[$"k8s-c10f1/{image.Name}:{image.Tag}"] = (Config("amd64"), Config("arm64"));
        }
    }

    /// <summary>Both mirrors forward faithfully again, anonymous pulls are allowed again, and the mirrors and the token service forget what they saw.</summary>
    public void Reset()
    {
        foreach (var proxy in new[] { K8s, Docker })
        {
            proxy.Corrupt = _ => false;
            proxy.Cut = _ => false;
            proxy.Manifest = (_, body) => body;
            proxy.Requests.Clear();
        }

        K8sIssuer.AnonymousPull = true;
        K8sIssuer.Requests.Clear();
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        Temp.Dispose();
    }

    private static string IndexDigest(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        return index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
    }

    private T Own<T>(T item)
        where T : IAsyncDisposable
    {
        _owned.Add(item);
        return item;
    }
}
