using System.Text;
using U7s.Cli.Wiring.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// containers-auth.json(5) as the CLI reads it: the lookup order, keys by host[:port] and namespace, docker's URL
/// keys, errors that name the file and key but never the secret, and the bounded token cache.
/// </summary>
public sealed class AuthFileLookupTests : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-authfile");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DefaultPaths_FollowTheContainersOrder()
    {
        var env = new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = "/a/auth.json", ["XDG_RUNTIME_DIR"] = "/run/user/1000", ["HOME"] = "/home/u" };

        var paths = RegistryLogin.DefaultPaths(k => env.GetValueOrDefault(k)).ToList();

        Assert.Equal(["/a/auth.json", "/run/user/1000/containers/auth.json", "/home/u/.config/containers/auth.json", "/home/u/.docker/config.json"], paths);
    }

    [Fact]
    public void FirstFileWithAnEntryWins_OthersAreSearchedOn()
    {
        var runtime = _dir.Combine("run");
        var home = _dir.Combine("home");
        Write(Path.Combine(runtime, "containers", "auth.json"), ("registry.local", "runtime", "pw1"));
        Write(Path.Combine(home, ".config", "containers", "auth.json"), ("registry.local", "config", "pw2"), ("127.0.0.1:5000", "local", "pw3"));
        Write(Path.Combine(home, ".docker", "config.json"), ("https://index.docker.io/v1/", "hub", "pw4"));
        var env = new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime, ["HOME"] = home };

        var login = RegistryLogin.FromFiles(null, k => env.GetValueOrDefault(k));

        Assert.Equal("runtime", login.For(new Uri("http://registry.local/v2/"), null)?.User);
        Assert.Equal("local", login.For(new Uri("http://127.0.0.1:5000/v2/"), null)?.User);
        Assert.Null(login.For(new Uri("http://127.0.0.1/v2/"), null));
        Assert.Equal("hub", login.For(new Uri("https://registry-1.docker.io/v2/"), "library/pause")?.User);
    }

    [Fact]
    public void NamespaceKeys_MostSpecificWins_AndAliasesFallBackToTheRegistry()
    {
        var file = _dir.Combine("auth.json");
        Write(file, ("registry.local", "any", "p"), ("registry.local/k8s-c10f1", "team", "p"), ("registry.local/k8s-c10f1/pause", "one", "p"));

        var login = RegistryLogin.FromFiles(file).Alias("sigstore.local:81", "registry.local");

        Assert.Equal("one", login.For(new Uri("http://registry.local/"), "k8s-c10f1/pause")?.User);
        Assert.Equal("team", login.For(new Uri("http://registry.local/"), "k8s-c10f1/etcd")?.User);
        Assert.Equal("any", login.For(new Uri("http://registry.local/"), "k8s-c10f1x/etcd")?.User);
        Assert.Equal("any", login.For(new Uri("http://sigstore.local:81/sigstore/"), null)?.User);
        Assert.Null(login.For(new Uri("http://sigstore.local:82/"), null));
    }

    [Fact]
    public void MalformedEntry_NamesFileAndKey_NeverTheValue()
    {
        var file = _dir.Combine("bad.json");
        File.WriteAllText(file, "{\"auths\":{\"registry.local\":{\"auth\":\"bm8tY29sb24tc2VjcmV0\"}}}");

        var e = Assert.Throws<AuthFileException>(() => RegistryLogin.FromFiles(file));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("registry.local", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm8tY29sb24tc2VjcmV0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no-colon-secret", e.Message, StringComparison.Ordinal);
        Assert.Throws<AuthFileException>(() => RegistryLogin.FromFiles(_dir.Combine("missing.json")));
    }

    [Fact]
    public async Task Creds_WithoutAColon_IsAUsageErrorThatDoesNotEchoIt()
    {
        var (code, _, stderr) = await Support.CommandHarness.RunCliAsync("save-oci", _dir.Combine("o.tar.xz"), "amd64", "registry.local/a:1", "--creds", "just-a-secret-token");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--creds takes USER:PASSWORD", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("just-a-secret-token", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_ToString_HidesThePassword() =>
        Assert.Equal("alice:***", new RegistryCredential("alice", "pw").ToString());

    [Fact]
    public void TokenCache_IsBounded_AndDropsExpiredTokens()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new TokenCache(time);
        for (var i = 0; i < TokenCache.MaxEntries * 2; i++)
        {
            cache.Set($"scope-{i}", $"t{i}", time.GetUtcNow().AddMinutes(5 + i));
        }

        Assert.Equal(TokenCache.MaxEntries, cache.Count);
        Assert.Equal($"t{(TokenCache.MaxEntries * 2) - 1}", cache.Get($"scope-{(TokenCache.MaxEntries * 2) - 1}"));
        time.Advance(TimeSpan.FromMinutes(5 + (TokenCache.MaxEntries * 2)));
        Assert.Null(cache.Get($"scope-{(TokenCache.MaxEntries * 2) - 1}"));
    }

    private static void Write(string path, params (string Key, string User, string Password)[] entries)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var auths = string.Join(',', entries.Select(e => $"\"{e.Key}\":{{\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{e.User}:{e.Password}"))}\"}}"));
        File.WriteAllText(path, $"{{\"auths\":{{{auths}}}}}");
    }
}
