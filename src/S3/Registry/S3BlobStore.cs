using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>
/// The registry's content in an S3 bucket, shared by any number of stateless replicas: blobs under
/// <see cref="S3RegistryKeys"/>, upload sessions as objects too, so any replica may continue an upload another
/// began. Bytes become visible at a blob key only once verified against the digest (a copy of an already
/// verified object), and S3 writes are atomic, so a reader never sees a partial or unverified blob.
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IBlobReadRedirect
{
    public S3BlobStore(S3Bucket bucket, S3StorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Bucket = bucket;
        Options = options;
        Time = time;
        Hashes = new UploadHashCache(time);
    }

    internal S3Bucket Bucket { get; }

    internal S3StorageOptions Options { get; }

    internal TimeProvider Time { get; }

    internal UploadHashCache Hashes { get; }

    /// <summary>Largest blob published with one CopyObject; larger ones are copied in parts. Lowered by tests.</summary>
    internal long SingleCopyLimit { get; init; } = S3Bucket.MaxCopyBytes;

    /// <summary>Part size of a copy in parts (5 MiB to 5 GiB).</summary>
    internal long CopyPartBytes { get; init; } = 1L << 30;

    public async Task<long?> GetSizeOrNullAsync(Digest digest, CancellationToken cancellationToken) =>
        (await Bucket.HeadOrNullAsync(S3RegistryKeys.Blob(digest), cancellationToken))?.Length;

    public async Task<BlobContent?> OpenReadOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        // The GET itself tells the length: no HEAD first. Callers open a blob to read it (a HEAD request from a
        // client asks GetSizeOrNullAsync); a ranged read seeks, which drops this response for a ranged GET.
        var key = S3RegistryKeys.Blob(digest);
        var response = await Bucket.GetOrNullAsync(key, 0, null, cancellationToken);
        if (response is null)
        {
            return null;
        }

        return new BlobContent(new S3BlobReadStream(Bucket, key, response.Length, response), response.Length, physicalPath: null);
    }

    public async Task<BlobCommitStatus> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var actual = Digest.FromHash(digest.Algorithm, digest.Algorithm == "sha512" ? SHA512.HashData(content.Span) : SHA256.HashData(content.Span));
        if (actual != digest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, $"content hashes to {actual}, not {digest}");
        }

        // Verified before the write, and the write is atomic: the key never holds anything else.
        var created = await Bucket.PutIfAbsentAsync(S3RegistryKeys.Blob(digest), content, cancellationToken);
        await TouchAsync(digest, cancellationToken);
        return created ? BlobCommitStatus.Created : BlobCommitStatus.AlreadyExists;
    }

    public async Task<DateTimeOffset?> GetLastUsedOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (await Bucket.HeadOrNullAsync(S3RegistryKeys.Blob(digest), cancellationToken) is not { } blob)
        {
            return null;
        }

        var marker = await Bucket.ReadAllOrNullAsync(S3RegistryKeys.BlobUsed(digest), 100, cancellationToken);
        return marker is not null && DateTimeOffset.TryParse(Encoding.ASCII.GetString(marker), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var used)
            ? used
            : blob.LastModified;
    }

    /// <summary>One small PUT: the time goes in a marker next to the blob, since S3 cannot change an object's time or metadata without copying it.</summary>
    public Task TouchAsync(Digest digest, CancellationToken cancellationToken) =>
        Bucket.PutAsync(S3RegistryKeys.BlobUsed(digest), Encoding.ASCII.GetBytes(Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), cancellationToken);

    public async Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var key = S3RegistryKeys.Blob(digest);
        var existed = await Bucket.HeadOrNullAsync(key, cancellationToken) is not null;

        // The marker first: one left behind would date a later upload of the same content back to the old use.
        await Bucket.DeleteAsync(S3RegistryKeys.BlobUsed(digest), cancellationToken);
        await Bucket.DeleteAsync(key, cancellationToken);
        return existed;
    }

    public async IAsyncEnumerable<Digest> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var o in Bucket.ListAsync(S3RegistryKeys.Blobs, cancellationToken))
        {
            if (S3RegistryKeys.TryParseBlob(o.Key, out var digest))
            {
                yield return digest;
            }
        }
    }

    public async Task<Uri?> GetReadUrlOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!Options.RedirectBlobReads)
        {
            return null;
        }

        var key = S3RegistryKeys.Blob(digest);
        if (await Bucket.HeadOrNullAsync(key, cancellationToken) is null)
        {
            return null;
        }

        // The SDK signs https URLs unless told otherwise, whatever the endpoint says.
        var http = Options.Endpoint is { } endpoint && endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        return new Uri(await Bucket.PresignGetAsync(key, Time.GetUtcNow() + Options.PresignedUrlLifetime, MediaTypes.OctetStream, http, cancellationToken));
    }
}
