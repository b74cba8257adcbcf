using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class CreateImagemakerUserCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _root = new("u7s-im-root");
    private readonly RecordingProcessRunner _runner = new();

    public async Task InitializeAsync()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Path, "--role", "registry");
        Assert.True(code == 0, stderr);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _root.Dispose();

    // No Signers: the verb uses U7s's own key store, as the shipped CLI does.
    private NodeEnvironment Environment() => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        HostName = "node1.example.test",
    };

    [Fact]
    public async Task CreateImagemakerUser_DefaultEmail_UsesUserAtHost()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        var keys = _root.Combine("home/imagemaker/.local/share/u7s/keys");
        var (listed, listing, error) = await CommandHarness.RunAsync(KeysCommand.Create(), "list", "--key-dir", keys);
        Assert.True(listed == 0, error);
        Assert.Contains("imagemaker <imagemaker@node1.example.test>", listing, StringComparison.Ordinal);
        Assert.Contains("policy scope registry.local: signed by /etc/u7s/keys/imagemaker.pgp", stdout, StringComparison.Ordinal);
        Assert.Contains("/var/sigstore/keys/imagemaker.pgp", File.ReadAllText(_root.Combine("var/sigstore/keys/policy.json")), StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>--in-place</c> makes this tree's own policy name the tree where it is, but what it serves to other nodes names
    /// node paths: a node's <c>create-policy</c> downloading from <c>u7s serve</c> over this tree takes it (it refused a
    /// served policy naming the staging tree's paths, keys its download does not bring along).
    /// </summary>
    [Fact]
    public async Task CreateImagemakerUser_InPlace_ServedPolicyNamesNodePathsAndANodeTakesIt()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path, "--in-place");
        Assert.True(code == 0, stderr);
        Assert.Contains($"\"keyPath\": \"{_root.Path}/etc/u7s/keys/imagemaker.pgp\"", File.ReadAllText(_root.Combine("etc/containers/policy.json")), StringComparison.Ordinal);
        Assert.Contains("\"keyPath\": \"/var/sigstore/keys/imagemaker.pgp\"", File.ReadAllText(_root.Combine("var/sigstore/keys/policy.json")), StringComparison.Ordinal);

        await using var server = await U7sProcess.StartAsync(_root.Combine("data"), _root.Combine("var/sigstore"), "--signers", _root.Combine("etc/u7s/signers.json"));
        using var node = new TempDirectory("u7s-im-node");
        var (pulled, stdout, error) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(new NodeEnvironment { Runner = _runner, IsPrivileged = () => false }),
            "192.168.122.70", "--role", "node", "--root", node.Path, "--keys-url", new Uri(server.SigstoreUrl, "keys/").ToString(), "--lookaside-url", new Uri(server.SigstoreUrl, "sigstore/").ToString());

        Assert.True(pulled == 0, error);
        Assert.Contains("trusting key ", stdout, StringComparison.Ordinal);
        Assert.Contains("\"keyPath\": \"/etc/u7s/keys/imagemaker.pgp\"", File.ReadAllText(Path.Combine(node.Path, "etc/containers/policy.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateImagemakerUser_HomeInsideTheSignatureTree_RefusedBeforeAnyKeyIsWritten()
    {
        File.AppendAllText(_root.Combine("etc/passwd"), "mallory:x:1500:1500::/var/sigstore/keys/mallory:/bin/bash\n");
        var before = Directory.GetFileSystemEntries(_root.Combine("var/sigstore"), "*", SearchOption.AllDirectories);

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "mallory", "--root", _root.Path);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains($"signing key for mallory: {_root.Path}/var/sigstore/keys/mallory/.local/share/u7s/keys lies inside {_root.Path}/var/sigstore", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(_root.Combine("var/sigstore"), "*", SearchOption.AllDirectories));
    }

    /// <summary>
    /// The key the verb generates works in gpg too (podman push --sign-by): exported, imported into
    /// GnuPG 2.2 and used there to sign. The unprotected RSA key it made used to fail with "Checksum error".
    /// </summary>
    [RequiresToolTheory("gpg")]
    [InlineData(null, "RsaGeneral-3072")]
    [InlineData("ed25519", "Ed25519")]
    public async Task CreateImagemakerUser_GeneratedKey_SignsInGnuPg(string? algorithm, string listed)
    {
        string[] choice = algorithm is null ? [] : ["--key-algorithm", algorithm];
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), ["maker", "--root", _root.Path, .. choice]);
        Assert.True(code == 0, stderr);
        var keys = _root.Combine("home/maker/.local/share/u7s/keys");
        var secret = _root.Combine("maker.sec.asc");
        var (_, listing, _) = await CommandHarness.RunAsync(KeysCommand.Create(), "list", "--key-dir", keys);
        var (exported, _, exportError) = await CommandHarness.RunAsync(KeysCommand.Create(), "export", "maker@node1.example.test", "--secret", "-o", secret, "--key-dir", keys);

        using var gpg = new GnuPgHome();
        await gpg.ImportAsync(secret);
        var payload = gpg.FilePath("payload.json");
        await File.WriteAllTextAsync(payload, "{}");
        var sign = await gpg.GpgAsync("-u", "maker@node1.example.test", "--output", payload + ".sig", "--sign", payload);
        var verify = await gpg.GpgAsync("--verify", payload + ".sig");

        Assert.Contains($" {listed} unprotected maker <maker@node1.example.test>", listing, StringComparison.Ordinal);
        Assert.True(exported == 0, exportError);
        Assert.True(sign.ExitCode == 0, sign.StandardError);
        Assert.True(verify.ExitCode == 0, verify.StandardError);
    }

    /// <summary>The imagemaker's login: written by the verb, then used on the real server for pushes within its scope only.</summary>
    [Fact]
    public async Task CreateImagemakerUser_WithHtpasswd_CanPushToItsScopeOnly()
    {
        var passwordFile = _root.Combine("bob.pass");
        await File.WriteAllTextAsync(passwordFile, "bob-secret\n");
        var (code, stdout, stderr) = await CommandHarness.RunAsync(
            CreateImagemakerUserCommand.Create(Environment()), "bob@registry.local/k8s-c10f1", "--root", _root.Path, "--htpasswd", "/etc/u7s/htpasswd", "--password-file", passwordFile);
        Assert.True(code == 0, stderr);
        Assert.Contains("bob: registry login added to /etc/u7s/htpasswd", stdout, StringComparison.Ordinal);
        var htpasswd = _root.Combine("etc/u7s/htpasswd");
        Assert.True(new U7s.Security.Login.HtpasswdFile(htpasswd).Check("bob", "bob-secret"));
        Assert.False(new U7s.Security.Login.HtpasswdFile(htpasswd).Check("bob", "bob-secre"));

        // The rights come from the authorization file the verb wrote (root-owned, as on a node), not from the served keys/.
        var signers = _root.Combine("etc/u7s/signers.json");
        Assert.Contains("registry.local/k8s-c10f1", File.ReadAllText(signers), StringComparison.Ordinal);
        Assert.Null(U7s.Security.Files.TrustedFile.Problem(signers, "signers"));
        var env = new Dictionary<string, string> { ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd, ["U7S_REGISTRY__AUTH__SIGNERS"] = signers };
        await using var server = await U7sProcess.StartAsync(_root.Combine("data"), _root.Combine("var/sigstore"), env);
        using var client = new HttpClient { BaseAddress = server.RegistryUrl };
        async Task<System.Net.HttpStatusCode> PushAsync(string repository)
        {
            var blob = System.Text.Encoding.UTF8.GetBytes(repository);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={U7s.Oci.Digest.Compute(blob)}") { Content = new ByteArrayContent(blob) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("bob:bob-secret"u8.ToArray()));
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(System.Net.HttpStatusCode.Created, await PushAsync("k8s-c10f1/pause"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, await PushAsync("other/tool"));
    }

    [Theory]
    [InlineData("--htpasswd", "/etc/u7s/htpasswd")]
    [InlineData("--password-file", "bob.pass")]
    public async Task CreateImagemakerUser_HtpasswdWithoutPassword_ParseError(string option, string value)
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "bob", "--root", _root.Path, option, value);
        Assert.NotEqual(0, code);
        Assert.Contains("go together", stderr, StringComparison.Ordinal);
    }

    [RequiresS3Fact]
    public async Task CreateImagemakerUser_PublishTo_CopiesTheAuthorizationFileAndTheNodesCopiesFromIt()
    {
        await using var s3 = await S3TestStore.CreateAsync();

        // The endpoint the way an admin's shell gives it; the same value every S3 test uses, so setting it here races nothing.
        System.Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", S3TestStore.Endpoint);
        var target = $"s3://{s3.Options.Bucket}/{s3.Options.Prefix}";

        // A group member's key lying in the served keys/ is not the source: it never reaches the bucket.
        await File.WriteAllTextAsync(_root.Combine("var/sigstore/keys/mallory.pgp"), "planted");
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path, "--publish-to", target);

        Assert.True(code == 0, stderr);
        Assert.Contains($"published keys/imagemaker.pgp, keys/policy.json, authz/signers.json to {target.TrimEnd('/')}/", stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(_root.Combine("etc/u7s/signers.json")), await s3.Bucket.ReadAllOrNullAsync("authz/signers.json", 1 << 20, default));
        Assert.Equal(File.ReadAllBytes(_root.Combine("var/sigstore/keys/imagemaker.pgp")), await s3.Bucket.ReadAllOrNullAsync("sigstore/keys/imagemaker.pgp", 1 << 20, default));
        var policy = await s3.Bucket.ReadAllOrNullAsync("sigstore/keys/policy.json", 1 << 20, default);
        Assert.Contains("/var/sigstore/keys/imagemaker.pgp", System.Text.Encoding.UTF8.GetString(policy!), StringComparison.Ordinal);
        Assert.Null(await s3.Bucket.ReadAllOrNullAsync("sigstore/keys/mallory.pgp", 1 << 20, default));
        var rights = await new U7s.Security.Signers.SignerScopes(new U7s.S3.Sigstore.S3SignersSource(s3.Bucket)).ReadAsync(default);
        Assert.True(rights.MaySign("imagemaker", new U7s.Oci.Policy.DockerReference("registry.local", "k8s-c10f1/pause", "3.9", null)));
    }

    [Fact]
    public async Task CreateImagemakerUser_PublishToLocalPath_ParseError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path, "--publish-to", "/var/sigstore");
        Assert.NotEqual(0, code);
        Assert.Contains("--publish-to must be an s3:// signature tree", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.Combine("var/sigstore/keys/imagemaker.pgp")));
    }

    [Fact]
    public async Task CreateImagemakerUser_EmailWithTwoUsers_ParseError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "a", "b", "--email", "x@y.z", "--root", _root.Path);

        Assert.NotEqual(0, code);
        Assert.Contains("--email applies to one user only", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateImagemakerUser_ChownFails_RefusedBeforePolicyChanges()
    {
        var policy = File.ReadAllText(_root.Combine("etc/containers/policy.json"));
        _runner.Failures["chown"] = "chown: changing ownership: Operation not permitted";

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith("u7s: chown ", stderr, StringComparison.Ordinal);
        Assert.EndsWith("failed: chown: changing ownership: Operation not permitted\n", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.Combine("var/sigstore/keys/imagemaker.pgp")));
        Assert.Equal(policy, File.ReadAllText(_root.Combine("etc/containers/policy.json")));
    }

    /// <summary>
    /// The key store is in the user's home: root generates the secret there and gives it to the user. A key directory
    /// the user linked to a root directory is refused; nothing is generated or chowned there.
    /// </summary>
    [RequiresRootFact("chown")]
    public async Task CreateImagemakerUser_KeyDirectoryLinkedToARootDirectory_RefusedNothingWrittenThere()
    {
        File.AppendAllText(_root.Combine("etc/passwd"), "alice:x:1500:1500::/home/alice:/bin/bash\n");
        Directory.CreateDirectory(_root.Combine("etc/target"));
        Directory.CreateDirectory(_root.Combine("home/alice/.local/share/u7s"));
        Directory.CreateSymbolicLink(_root.Combine("home/alice/.local/share/u7s/keys"), _root.Combine("etc/target"));
        (await ExternalProcess.RunAsync("chown", ["-R", "-h", "1500:1500", _root.Combine("home/alice")])).EnsureSuccess("chown");

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "alice", "--root", _root.Path);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("/home/alice/.local/share/u7s/keys is a symbolic link", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Combine("etc/target")));
        Assert.DoesNotContain(_runner.Calls, c => c.Contains("/etc/target", StringComparison.Ordinal));
        Assert.False(File.Exists(_root.Combine("var/sigstore/keys/alice.pgp")));
    }

    [Fact]
    public async Task CreateImagemakerUser_BadScope_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker@nohost", "--root", _root.Path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: not a registry scope (host[/namespace]): nohost\n", stderr);
    }

    [Fact]
    public async Task CreatePodmanUsers_StagingRoot_CreatesUsersThroughRunner()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePodmanUsersCommand.Create(Environment()), "alice", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains($"chattr +i {_root.Path}/home/alice/.config/containers", _runner.Calls);
        Assert.Contains("user alice created (groups podman)", stdout, StringComparison.Ordinal);
    }
}
