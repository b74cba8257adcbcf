using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using U7s.Oci;

namespace U7s.S3;

/// <summary>
/// Every call to the store has a deadline, and every failure of the store leaves this type as one
/// <see cref="StorageException"/>: no SDK exception reaches the storage seams.
/// </summary>
public sealed partial class S3Bucket
{
    /// <summary>
    /// The slowest transfer a deadline allows for: a request that sends a part or copies on the server gets
    /// <see cref="RequestTimeout"/> plus one second per this many bytes. radosgw and AWS move hundreds of MiB per second.
    /// </summary>
    public const long TransferBytesPerSecond = 16L * 1024 * 1024;

    /// <summary>The deadline of one request; see <see cref="S3StorageOptions.RequestTimeout"/>.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Where the store lives, for messages: <c>s3://bucket/prefix at endpoint</c>.</summary>
    public string Describe() =>
        $"s3://{Name}/{Prefix} at {(Client.Config.ServiceURL is { Length: > 0 } url ? url.TrimEnd('/') : "AWS " + Client.Config.RegionEndpoint?.SystemName)}";

    /// <summary>The deadline of a request that sends or copies <paramref name="bytes"/>.</summary>
    internal TimeSpan TransferTimeout(long bytes) => RequestTimeout + TimeSpan.FromSeconds((double)bytes / TransferBytesPerSecond);

    /// <summary>
    /// Runs one call to the store under <paramref name="timeout"/> (default <see cref="RequestTimeout"/>), turning a
    /// missed deadline and every failure of the store into a <see cref="StorageException"/>. A cancellation by the
    /// caller stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = timeout ?? RequestTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            return await call(deadline.Token);
        }
        catch (Exception e) when (Translate(e, operation, key, limit, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    private async Task CallAsync(string operation, string key, Func<CancellationToken, Task> call, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        await CallAsync<bool>(
            operation,
            key,
            async token =>
            {
                await call(token);
                return true;
            },
            cancellationToken,
            timeout);

    /// <summary>The store failure <paramref name="e"/> stands for, or null when it is not one (a caller's cancellation, a bug, bad data).</summary>
    internal StorageException? Translate(Exception e, string operation, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var store = Describe();
        var what = key.Length == 0 ? operation : $"{operation} {key}";
        return e switch
        {
            StorageException => null,
            OperationCanceledException when cancellationToken.IsCancellationRequested => null,
            OperationCanceledException => new StorageException(StorageFailure.Unavailable, $"{store} did not answer {what} within {timeout:g}", e),
            AmazonServiceException service when IsFailing(service) => new StorageException(StorageFailure.Unavailable, $"{store} failed {what}: {Reason(service)}", e),
            _ when Unreachable(e) is { } cause => new StorageException(StorageFailure.Unavailable, $"cannot reach {store} ({what}): {OneLine(cause.Message)}", e),
            AmazonServiceException service => new StorageException(StorageFailure.Refused, $"{store} refused {what}: {Reason(service)}", e),
            AmazonClientException => new StorageException(StorageFailure.Refused, $"cannot use {store} ({what}): {OneLine(e.Message)}", e),
            _ => null,
        };
    }

    /// <summary>A 5xx (radosgw's 503 SlowDown, a proxy's 502/504) or a 408: the store is there but not coping.</summary>
    private static bool IsFailing(AmazonServiceException e) => (int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.RequestTimeout;

    /// <summary>The connection failure inside <paramref name="e"/> (the SDK wraps them, or passes them bare), or null.</summary>
    private static Exception? Unreachable(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or SocketException or IOException and not StorageException)
            {
                return x;
            }
        }

        return null;
    }

    /// <summary>Status and S3 error code, then the store's own message unless it is only the SDK's filler (a HEAD has no body).</summary>
    private static string Reason(AmazonServiceException e) =>
        OneLine(e.Message.StartsWith("Error making request", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(e.Message)
            ? $"{(int)e.StatusCode} {e.ErrorCode}"
            : $"{(int)e.StatusCode} {e.ErrorCode}: {e.Message}");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
