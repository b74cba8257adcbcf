using Amazon.Runtime;
using Amazon.S3;

namespace U7s.S3;

/// <summary>Builds the one S3 client a process uses, with the settings radosgw and AWS both accept.</summary>
public static class S3ClientFactory
{
    private const string MetadataDisabledVariable = "AWS_EC2_METADATA_DISABLED";

    public static IAmazonS3 Create(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.EffectiveRegion,

            // The SDK's default flexible checksums travel as aws-chunked trailers, which radosgw 16.2 refuses
            // (400 XAmzContentSHA256Mismatch). Blobs are verified by their own digest anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,

            // Many concurrent pulls share the client: do not let the pool be the bottleneck.
            MaxConnectionsPerServer = 256,
        };
        if (options.Endpoint is not null)
        {
            config.ServiceURL = options.Endpoint;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.EffectiveRegion);
        }

        // U7s runs air-gapped against an on-site store: credentials come from the environment or the shared
        // credentials file, never from a cloud's instance metadata service. Without this the SDK's default
        // chain ends by asking 169.254.169.254, a host off this machine, and an admin who forgot the keys
        // waits for its timeouts instead of reading an error. Setting the variable to false opts back in.
        if (Environment.GetEnvironmentVariable(MetadataDisabledVariable) is null)
        {
            Environment.SetEnvironmentVariable(MetadataDisabledVariable, "true");
        }

        // The default chain reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY first.
        return new AmazonS3Client(config);
    }
}
