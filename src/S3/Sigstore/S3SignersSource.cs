using U7s.Security.Signers;

namespace U7s.S3.Sigstore;

/// <summary>
/// The authorization document of replicas: the bucket object <see cref="SignersDocument.S3Key"/>
/// (beside <c>registry/</c> and <c>sigstore/</c>, never served), which only
/// <c>u7s create-imagemakeruser --publish-to</c> writes, from the root-owned local file. The servers
/// only read it, so whoever may write the bucket decides the rights: keep its write credentials with
/// root and the service.
/// </summary>
public sealed class S3SignersSource(S3Bucket bucket) : ISignerSource
{
    public string Description => $"s3://{bucket.Name}/{bucket.FullKey(SignersDocument.S3Key)}";

    public async Task<SignersDocument?> ReadOrNullAsync(CancellationToken cancellationToken)
    {
        var bytes = await bucket.ReadAllOrNullAsync(SignersDocument.S3Key, SignersDocument.MaxBytes, cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return SignersDocument.Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Description} is invalid: {e.Message}", e);
        }
    }
}
