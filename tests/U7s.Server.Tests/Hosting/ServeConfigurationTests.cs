using U7s.Registry.Access;
using U7s.Server;
using U7s.Server.Hosting;
using U7s.Testing;

namespace U7s.Server.Tests.Hosting;

public sealed class ServeConfigurationTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoFlags = [];
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Defaults_AreThePodsecPorts()
    {
        var (registry, sigstore) = ServeConfiguration.Load(null, NoFlags, NoEnvironment);
        Assert.Equal("0.0.0.0:80", registry.Listen);
        Assert.Equal("/var/lib/u7s", registry.DataRoot);
        Assert.Equal("0.0.0.0:81", sigstore.Listen);
        Assert.Equal("/var/sigstore", sigstore.Root);
    }

    [Fact]
    public void JsonFile_ThenEnvironment_ThenFlags_EachOverrides()
    {
        var file = _dir.Combine("u7s.json");
        File.WriteAllText(file, """{"Registry":{"Listen":"127.0.0.1:1000","DataRoot":"/srv/a","MaxManifestBytes":8388608},"Sigstore":{"Listen":"127.0.0.1:1001"}}""");
        var (registry, sigstore) = ServeConfiguration.Load(file, NoFlags, NoEnvironment);
        Assert.Equal("127.0.0.1:1000", registry.Listen);
        Assert.Equal(8 * 1024 * 1024, registry.MaxManifestBytes);
        Assert.Equal("127.0.0.1:1001", sigstore.Listen);

        var env = new Dictionary<string, string?> { ["U7S_REGISTRY__LISTEN"] = "127.0.0.1:2000", ["U7S_SIGSTORE__ROOT"] = "/srv/sig", ["PATH"] = "/bin" };
        (registry, sigstore) = ServeConfiguration.Load(file, NoFlags, env);
        Assert.Equal("127.0.0.1:2000", registry.Listen);
        Assert.Equal("/srv/sig", sigstore.Root);
        Assert.Equal("/srv/a", registry.DataRoot);

        var flags = new Dictionary<string, string?> { ["Registry:Listen"] = "127.0.0.1:3000", ["Registry:DataRoot"] = null };
        (registry, _) = ServeConfiguration.Load(file, flags, env);
        Assert.Equal("127.0.0.1:3000", registry.Listen);
        Assert.Equal("/srv/a", registry.DataRoot);
    }

    [Fact]
    public void Htpasswd_OneSettingGovernsBothPorts_NoWarning()
    {
        var htpasswd = _dir.Combine("htpasswd");
        File.WriteAllText(htpasswd, string.Empty);

        var settings = ServeConfiguration.Load(null, new Dictionary<string, string?> { ["Registry:Auth:Htpasswd"] = htpasswd }, NoEnvironment);

        Assert.Equal(htpasswd, settings.Registry.Auth.Htpasswd);
        Assert.Equal(htpasswd, settings.Sigstore.HtpasswdPath);
        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void Htpasswd_OldName_StillGovernsTheSignatureStore_WithAWarning()
    {
        var htpasswd = _dir.Combine("htpasswd");
        File.WriteAllText(htpasswd, string.Empty);
        var file = _dir.Combine("u7s.json");
        File.WriteAllText(file, "{\"Sigstore\":{\"HtpasswdPath\":\"" + htpasswd + "\"}}");

        var settings = ServeConfiguration.Load(file, NoFlags, NoEnvironment);

        Assert.Null(settings.Registry.Auth.Htpasswd);
        Assert.Equal(htpasswd, settings.Sigstore.HtpasswdPath);
        Assert.StartsWith("Sigstore:HtpasswdPath is the old name of Registry:Auth:Htpasswd", Assert.Single(settings.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void YamlFile_IsRead()
    {
        var file = _dir.Combine("u7s.yaml");
        File.WriteAllText(file, "Registry:\n  Listen: 127.0.0.1:4000\n  UploadExpiry: \"02:00:00\"\nSigstore:\n  Root: /srv/yaml\n");
        var (registry, sigstore) = ServeConfiguration.Load(file, NoFlags, NoEnvironment);
        Assert.Equal("127.0.0.1:4000", registry.Listen);
        Assert.Equal(TimeSpan.FromHours(2), registry.UploadExpiry);
        Assert.Equal("/srv/yaml", sigstore.Root);
    }

    [Fact]
    public void Storage_DefaultsToFilesystem()
    {
        Assert.Null(ServeConfiguration.Load(null, NoFlags, NoEnvironment).S3);
        Assert.Null(ServeConfiguration.Load(null, new Dictionary<string, string?> { ["Storage"] = "filesystem" }, NoEnvironment).S3);
    }

    [Fact]
    public void YamlStorageS3_BindsTheS3Section()
    {
        var file = _dir.Combine("u7s.yaml");
        File.WriteAllText(file, "storage: s3\ns3:\n  endpoint: http://127.0.0.1:7480\n  bucket: u7s-site\n  region: eu-1\n  prefix: a/\n  partBytes: 16777216\n  redirectBlobReads: true\n");
        var s3 = ServeConfiguration.Load(file, NoFlags, NoEnvironment).S3;
        Assert.NotNull(s3);
        Assert.Equal("http://127.0.0.1:7480", s3.Endpoint);
        Assert.Equal("u7s-site", s3.Bucket);
        Assert.Equal("eu-1", s3.EffectiveRegion);
        Assert.Equal("a/", s3.Prefix);
        Assert.Equal(16 * 1024 * 1024, s3.PartBytes);
        Assert.True(s3.RedirectBlobReads);
    }

    [Fact]
    public void EnvironmentStorageS3_IsEnough()
    {
        var env = new Dictionary<string, string?> { ["U7S_STORAGE"] = "S3", ["U7S_S3__BUCKET"] = "u7s", ["U7S_S3__ENDPOINT"] = "http://127.0.0.1:7480" };
        Assert.Equal("u7s", ServeConfiguration.Load(null, NoFlags, env).S3?.Bucket);
    }

    [Theory]
    [InlineData("Storage", "nfs", "Storage 'nfs' is not one of")]
    [InlineData("S3:Bucket", "", "S3:Bucket is required")]
    [InlineData("S3:PartBytes", "1024", "S3:PartBytes")]
    public void BadStorage_IsOneLineError(string key, string value, string expected)
    {
        var flags = new Dictionary<string, string?> { ["Storage"] = "s3", ["S3:Bucket"] = "u7s", [key] = value };
        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, flags, NoEnvironment));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownS3Key_IsRefused()
    {
        var flags = new Dictionary<string, string?> { ["Storage"] = "s3", ["S3:Bucket"] = "u7s", ["S3:Buckett"] = "typo" };
        Assert.Contains("Buckett", Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, flags, NoEnvironment)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Registry:Listen", "registry.local:80", "Registry:Listen")]
    [InlineData("Registry:Listen", "127.0.0.1", "Registry:Listen")]
    [InlineData("Sigstore:Listen", "0.0.0.0:99999", "Sigstore:Listen")]
    [InlineData("Registry:DataRoot", "relative/path", "Registry:DataRoot")]
    [InlineData("Registry:MaxManifestBytes", "1000", "4 MiB")]
    public void InvalidValue_IsOneClearMessage(string key, string value, string expected)
    {
        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, new Dictionary<string, string?> { [key] = value }, NoEnvironment));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ServerErrorKind.Settings, e.Kind);
    }

    [Theory]
    [InlineData("true", null, "Server:ProxyProtocol needs Server:TrustedProxies")]
    [InlineData("true", "10.0.0.5/24", "Server:TrustedProxies '10.0.0.5/24' is not an address or a CIDR network")]
    [InlineData("true", "haproxy.local", "Server:TrustedProxies 'haproxy.local' is not an address or a CIDR network")]
    [InlineData("false", "10.0.0.10", "Server:TrustedProxies is set but Server:ProxyProtocol is off")]
    public void ProxyProtocol_WithoutValidTrustedProxies_StopsTheStart(string proxyProtocol, string? trusted, string expected)
    {
        var environment = new Dictionary<string, string?> { ["U7S_SERVER__PROXYPROTOCOL"] = proxyProtocol };
        if (trusted is not null)
        {
            environment["U7S_SERVER__TRUSTEDPROXIES__0"] = trusted;
        }

        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, NoFlags, environment));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(ServerErrorKind.Settings, e.Kind);
    }

    [Fact]
    public void TrustedProxies_FromYamlListOrEnvironment()
    {
        var file = _dir.Combine("u7s.yaml");
        File.WriteAllText(file, "server:\n  proxyProtocol: true\n  trustedProxies: [10.0.0.10, \"10.0.1.0/29\"]\n");
        var (registry, _) = ServeConfiguration.Load(file, NoFlags, NoEnvironment);
        Assert.Equal(["10.0.0.10", "10.0.1.0/29"], registry.TrustedProxies);
        Assert.True(registry.TrustedProxyNetworks().Contains(System.Net.IPAddress.Parse("10.0.1.7")));
        Assert.False(registry.TrustedProxyNetworks().Contains(System.Net.IPAddress.Parse("10.0.1.8")));

        var environment = new Dictionary<string, string?> { ["U7S_SERVER__PROXYPROTOCOL"] = "true", ["U7S_SERVER__TRUSTEDPROXIES__0"] = "2001:db8::10" };
        (registry, _) = ServeConfiguration.Load(null, NoFlags, environment);
        Assert.Equal(["2001:db8::10"], registry.TrustedProxies);
    }

    [Fact]
    public void ProxyProtocol_OldRegistryNames_StillGovernBothPorts_WithOneLineWarningEach()
    {
        var file = _dir.Combine("u7s.yaml");
        File.WriteAllText(file, "registry:\n  proxyProtocol: true\n  trustedProxies: [10.0.0.10]\n");

        var settings = ServeConfiguration.Load(file, NoFlags, NoEnvironment);

        Assert.True(settings.Registry.ProxyProtocol);
        Assert.Equal(["10.0.0.10"], settings.Registry.TrustedProxies);
        Assert.Equal(
            ["Registry:ProxyProtocol is the old name of Server:ProxyProtocol (it governs both ports): set Server:ProxyProtocol instead",
             "Registry:TrustedProxies is the old name of Server:TrustedProxies (it governs both ports): set Server:TrustedProxies instead"],
            settings.Warnings);
        Assert.All(settings.Warnings, w => Assert.DoesNotContain('\n', w));
    }

    [Fact]
    public void ProxyProtocol_OldAndNewNameBothSet_StopsTheStartNamingBoth()
    {
        var environment = new Dictionary<string, string?>
        {
            ["U7S_REGISTRY__PROXYPROTOCOL"] = "false", ["U7S_SERVER__PROXYPROTOCOL"] = "true", ["U7S_SERVER__TRUSTEDPROXIES__0"] = "10.0.0.10",
        };

        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, NoFlags, environment));

        Assert.StartsWith("Registry:ProxyProtocol is the old name of Server:ProxyProtocol and both are set: set Server:ProxyProtocol only", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ServerErrorKind.Settings, e.Kind);
    }

    [Fact]
    public void Signers_RelativePath_StopsTheStartNamingTheKey()
    {
        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, new Dictionary<string, string?> { ["Registry:Auth:Signers"] = "signers.json" }, NoEnvironment));
        Assert.StartsWith("Registry:Auth:Signers 'signers.json' must be an absolute path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_IsRejected()
    {
        var file = _dir.Combine("u7s.json");
        File.WriteAllText(file, """{"Registry":{"Listne":"127.0.0.1:1"}}""");
        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(file, NoFlags, NoEnvironment));
        Assert.Equal($"{file}: unknown setting Registry:Listne (did you mean Registry:Listen?)", e.Message);
        Assert.Equal(ServerErrorKind.Settings, e.Kind);
    }

    [Theory]
    [InlineData("u7s.json", """{"Registry":{"Foo":1}}""", "unknown setting Registry:Foo")]
    [InlineData("u7s.json", """{"Registry":{"Auth":{"Writers":{"admin":["*"]},"Typo":true}}}""", "unknown setting Registry:Auth:Typo")]
    [InlineData("u7s.json", """{"Registry":{"Listen":{"Host":"x"}}}""", "unknown setting Registry:Listen:Host")]
    [InlineData("u7s.json", """{"Regsitry":{"Listen":"127.0.0.1:1"}}""", "unknown setting Regsitry (did you mean Registry?)")]
    [InlineData("u7s.json", """{"Registry":{"MaxManifestBytes":"lots"}}""", "Registry:MaxManifestBytes 'lots' is not a whole number")]
    [InlineData("u7s.json", """{"Registry":{"Auth":{"AnonymousPull":"maybe"}}}""", "Registry:Auth:AnonymousPull 'maybe' is not true or false")]
    [InlineData("u7s.yaml", "registry:\n  uploadExpiry: soon\n", "registry:uploadExpiry 'soon' is not a time span such as 01:00:00")]
    [InlineData("u7s.yaml", "s3:\n  partBytes: 5.5\n", "s3:partBytes '5.5' is not a whole number")]
    [InlineData("u7s.json", """{"Registry":{"Enforce":{"Mode":"strict"}}}""", "Registry:Enforce:Mode 'strict' is not one of Off, Warn, Enforce")]
    public void FileProblem_OneLineNamingFileAndKey(string name, string content, string expected)
    {
        var file = _dir.Combine(name);
        File.WriteAllText(file, content);

        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(file, NoFlags, NoEnvironment));

        Assert.Equal($"{file}: {expected}", e.Message);
        Assert.DoesNotContain("Binder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentProblem_NamesTheVariable()
    {
        var env = new Dictionary<string, string?> { ["U7S_REGISTRY__FOO"] = "1" };

        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, NoFlags, env));

        Assert.Equal("environment variable U7S_REGISTRY__FOO: unknown setting REGISTRY:FOO", e.Message);
    }

    [Fact]
    public void OtherU7sVariables_AreNotSettings_ButUnknownKeysOfASectionAre()
    {
        // Scripts and packages name their own variables U7S_… (the release directory, the AOT binary for the bench).
        var env = new Dictionary<string, string?> { ["U7S_AOT_BINARY"] = "artifacts/u7s-0.1.0-linux-amd64/u7s", ["U7S_RELEASE_DIR"] = "artifacts/release", ["U7S_REGISTRY__LISTEN"] = "127.0.0.1:5000" };
        var (registry, _) = ServeConfiguration.Load(null, NoFlags, env);

        var e = Assert.Throws<ServerException>(() => ServeConfiguration.Load(null, NoFlags, new Dictionary<string, string?> { ["U7S_S3__BUKET"] = "x" }));

        Assert.Equal("127.0.0.1:5000", registry.Listen);
        Assert.Equal("environment variable U7S_S3__BUKET: unknown setting S3:BUKET (did you mean S3:Bucket?)", e.Message);
    }

    [Fact]
    public void ReadmeExample_Loads()
    {
        // The settings block of the README itself, with its htpasswd file made to exist here.
        var readme = File.ReadAllText(Path.Combine(TestRepository.Root, "README.md"));
        var start = readme.IndexOf("```json\n{\n  \"Server\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no settings example");
        var json = readme[(start + "```json\n".Length)..readme.IndexOf("```", start + 7, StringComparison.Ordinal)];
        var htpasswd = _dir.Combine("htpasswd");
        File.WriteAllText(htpasswd, string.Empty);
        var file = _dir.Combine("u7s.json");
        File.WriteAllText(file, json.Replace("/etc/u7s/htpasswd", htpasswd, StringComparison.Ordinal));

        var settings = ServeConfiguration.Load(file, NoFlags, NoEnvironment);
        var registry = settings.Registry;

        Assert.Empty(settings.Warnings);
        Assert.False(registry.ProxyProtocol);
        Assert.Equal(["*"], registry.Auth.Writers["admin"]);
        Assert.Null(registry.MaxUploadBytes);
        Assert.Equal(TimeSpan.FromDays(1), registry.UploadExpiry);
        Assert.Equal(EnforceMode.Off, registry.Enforce.Mode);
    }

    [Fact]
    public void MissingOrBrokenFile_IsRejected()
    {
        Assert.Throws<ServerException>(() => ServeConfiguration.Load(_dir.Combine("absent.json"), NoFlags, NoEnvironment));
        var broken = _dir.Combine("broken.yaml");
        File.WriteAllText(broken, "Registry: [unclosed\n");
        Assert.Throws<ServerException>(() => ServeConfiguration.Load(broken, NoFlags, NoEnvironment));
        var brokenJson = _dir.Combine("broken.json");
        File.WriteAllText(brokenJson, "{not json");
        Assert.Throws<ServerException>(() => ServeConfiguration.Load(brokenJson, NoFlags, NoEnvironment));
    }

    public void Dispose() => _dir.Dispose();
}
