using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Http;

/// <summary>
/// <c>PUT /sigstore/&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;/signature</c> with Basic auth: appends a verified
/// signature (see <see cref="SignatureUploadService"/>); 201 with the <c>Location</c> of the new
/// <c>signature-N</c>, 200 when already present, 401/403/4xx otherwise, 429 past the failed-login
/// limit of the (user, address) pair, which the registry port shares.
/// </summary>
internal static partial class SignatureUploadEndpoint
{
    public static async Task HandleAsync(HttpContext context, string normalizedPath, LoginGate users, SignatureUploadService uploads, ILogger logger)
    {
        // This port's requests start on the socket's event thread (SigstoreApp): a failed login costs a bcrypt check
        // (tens of milliseconds, by design), which must not hold up the GETs that thread serves.
        await Task.Yield();
        var login = BasicCredentials.TryParse(context.Request.Headers.Authorization.ToString(), out var user, out var password) && user.Length > 0
            ? await users.CheckAsync(user, password, context.Connection.RemoteIpAddress, context.RequestAborted)
            : LoginResult.Invalid;
        if (login == LoginResult.Throttled)
        {
            await WriteAsync(context, new UploadResult(StatusCodes.Status429TooManyRequests, "too many failed logins from this address; wait and retry"));
            return;
        }

        if (login != LoginResult.Valid)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"u7s sigstore\"";
            return;
        }

        const string prefix = "/sigstore/";
        const string suffix = "/signature";
        if (!normalizedPath.StartsWith(prefix, StringComparison.Ordinal) || !normalizedPath.EndsWith(suffix, StringComparison.Ordinal)
            || !LookasidePath.TryParseDirectory(normalizedPath[prefix.Length..^suffix.Length], out var repository, out var digest))
        {
            await WriteAsync(context, new UploadResult(StatusCodes.Status400BadRequest, "expected PUT /sigstore/<repository>@<alg>=<hex>/signature"));
            return;
        }

        var body = await ReadBodyAsync(context.Request, context.RequestAborted);

        // A body that arrived in pieces resumes on the event thread again; verifying and the durable write do not run there.
        await Task.Yield();
        var result = body is null
            ? new UploadResult(StatusCodes.Status413PayloadTooLarge, "signature larger than 4 MiB")
            : await uploads.UploadAsync(user, repository, digest.Value, body, context.RequestAborted);
        if (result.Index is { } index)
        {
            context.Response.Headers.Location = "/sigstore/" + SignatureStore.RelativePath(repository, digest.Value, index);
            Log.Stored(logger, user, repository.Value, digest.Value.ToString(), index);
            if (context.RequestServices.GetService<IAuditLog>() is { } audit && result.Status == StatusCodes.Status201Created)
            {
                var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
                await audit.WriteAsync(new AuditEvent(time.GetUtcNow(), user, "signature.write", repository.Value, digest.Value.ToString(), Remote: context.Connection.RemoteIpAddress?.ToString(), Signature: $"signature-{index}"), context.RequestAborted);
            }
        }
        else
        {
            Log.Refused(logger, user, repository.Value, digest.Value.ToString(), result.Status, result.Message);
        }

        await WriteAsync(context, result);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > SignatureStore.MaxSignatureBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > SignatureStore.MaxSignatureBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpContext context, UploadResult result)
    {
        context.Response.StatusCode = result.Status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(result.Message + "\n", context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{User} stored signature-{Index} for {Repository}@{Digest}")]
        public static partial void Stored(ILogger logger, string user, string repository, string digest, int index);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{User} upload for {Repository}@{Digest} refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, string user, string repository, string digest, int status, string reason);
    }
}
