namespace U7s.Bench;

/// <summary>
/// The S3 rows' servers: U7s with <c>storage: s3</c> and docker-registry with its s3 driver, both on one
/// bucket of the radosgw that <c>tools/s3-server.sh run</c> started (S3_ENDPOINT and the AWS variables).
/// </summary>
internal sealed class S3Servers : IAsyncDisposable
{
    private const string Bucket = "u7s-bench";

    private S3Servers(ServerProcess u7s, ServerProcess registry)
    {
        U7s = u7s;
        DockerRegistry = registry;
    }

    public ServerProcess U7s { get; }

    public ServerProcess DockerRegistry { get; }

    /// <summary>Null (with the reason in <paramref name="report"/>) when no S3 server is configured.</summary>
    public static async Task<S3Servers?> StartOrNullAsync(string root, Report report)
    {
        var endpoint = Environment.GetEnvironmentVariable("S3_ENDPOINT");
        var accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            report.Note("S3_ENDPOINT is not set: the S3 rows were not measured (run under tools/s3-server.sh run)");
            return null;
        }

        var run = Guid.NewGuid().ToString("N")[..12];
        var (u7s, _) = await RegistryServers.StartU7sAsync("u7s-s3", root, Path.Combine(root, "u7s-s3-www"),
            new Dictionary<string, string?> { ["U7S_STORAGE"] = "s3", ["U7S_S3__ENDPOINT"] = endpoint, ["U7S_S3__BUCKET"] = Bucket, ["U7S_S3__PREFIX"] = $"u7s-{run}/" });

        // The bucket exists now (u7s creates it at start); distribution's s3 driver expects it to. Its AWS SDK
        // panics on AWS_CA_BUNDLE with its own HTTP transport; the endpoint is plain HTTP anyway.
        var registry = await RegistryServers.StartDockerRegistryAsync("docker-registry-s3", root,
            [
                "  s3:",
                $"    accesskey: {accessKey}",
                $"    secretkey: {secretKey}",
                "    region: us-east-1",
                $"    regionendpoint: {endpoint}",
                $"    bucket: {Bucket}",
                $"    rootdirectory: /registry-{run}",
                "    secure: false",
                "    v4auth: true",
                "    chunksize: 8388608",
                "  redirect:",
                "    disable: true",
            ],
            new Dictionary<string, string?> { ["AWS_CA_BUNDLE"] = null });
        return new S3Servers(u7s, registry);
    }

    public async ValueTask DisposeAsync()
    {
        await U7s.DisposeAsync();
        await DockerRegistry.DisposeAsync();
    }
}
