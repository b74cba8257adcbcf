using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Sigstore.Store;

namespace U7s.Cli.Wiring;

/// <summary>
/// Opens the signature store tree a <c>--sigstore-root</c> names: a directory, or <c>s3://bucket[/prefix/]</c>
/// for the tree replicas on <c>storage: s3</c> serve (endpoint from <c>AWS_ENDPOINT_URL_S3</c>,
/// <c>AWS_ENDPOINT_URL</c> or the server's <c>U7S_S3__ENDPOINT</c>; credentials and region from the usual AWS variables). So <c>u7s sign</c>,
/// <c>keys --publish</c> and <c>load-sign-oci</c> write where every replica reads.
/// </summary>
internal static class SigstoreTrees
{
    private const string Scheme = "s3://";

    /// <summary>Where the endpoint comes from, first set wins: AWS's own variables, then the server's.</summary>
    private static readonly string[] EndpointVariables = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "U7S_S3__ENDPOINT"];

    public static bool IsS3(string root) => root.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>A bucket's failures, which mean "the store cannot be read" as an <see cref="IOException"/> does for a directory.</summary>
    public static bool IsStoreFailure(Exception e) => e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException;

    /// <summary>A directory root made absolute; an S3 root as given.</summary>
    public static string Normalize(string root) => IsS3(root) ? root : Path.GetFullPath(root);

    public static ISigstoreTree Open(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        return IsS3(root) ? new S3SigstoreTree(S3Bucket.Open(S3Options(root))) : new FileSystemSigstoreTree(root);
    }

    /// <summary>The S3 options an <c>s3://bucket/prefix/</c> root stands for; throws <see cref="UserException"/> when it is malformed.</summary>
    public static S3StorageOptions S3Options(string root)
    {
        var rest = root[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var options = new S3StorageOptions
        {
            Bucket = slash < 0 ? rest : rest[..slash],
            Prefix = slash < 0 ? string.Empty : rest[(slash + 1)..],
            Endpoint = EndpointVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
        };
        if (options.Prefix.Length > 0 && !options.Prefix.EndsWith('/'))
        {
            options.Prefix += "/";
        }

        if (options.Validate().FirstOrDefault() is { } problem)
        {
            throw new UserException($"--sigstore-root '{root}': {problem}", ExitCodes.Usage);
        }

        return options;
    }
}
