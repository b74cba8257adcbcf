using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Sigstore.Store;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Http;

/// <summary>
/// The read-only view of the store tree, as nginx served it for podsec (SPEC §2.5): files, a JSON
/// listing for directories, 301 for a directory without its slash, a bare 404 for anything missing
/// (clients read 404 as "no more signatures"; any other status fails the whole pull). A store that does not answer
/// is 503, never 404: "no signature" would be a lie a pull must not act on.
/// </summary>
internal static partial class SigstoreEndpoints
{
    /// <summary>Files up to this size are sent without a flush of their own (see <see cref="SendFileAsync"/>).</summary>
    private const int SmallFileBytes = 64 * 1024;

    /// <summary>The block size of Kestrel's memory pool: memory it hands out up to this size is the pipe's own.</summary>
    private const int PipeBlockBytes = 4096;

    public static void Map(WebApplication app, SigstoreOptions options)
    {
        var tree = app.Services.GetRequiredService<ISigstoreTree>();
        var users = options.HtpasswdPath is null ? null : app.Services.GetRequiredService<LoginGate>();
        var uploads = users is null ? null : app.Services.GetRequiredService<SignatureUploadService>();
        var uploadLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("U7s.Sigstore.Http.SignatureUpload");
        var storeLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("U7s.Sigstore.Http.Store");
        app.Run(async context =>
        {
            try
            {
                await HandleAsync(context, tree, users, uploads, uploadLog);
            }
            catch (StorageException e) when (e.IsUnavailable && !context.RequestAborted.IsCancellationRequested)
            {
                Log.StoreUnavailable(storeLog, context.Request.Method, context.Request.Path, e.Message);
                if (context.Response.HasStarted)
                {
                    context.Abort();
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "5";
            }
        });
    }

    private static async Task HandleAsync(HttpContext context, ISigstoreTree tree, LoginGate? users, SignatureUploadService? uploads, ILogger uploadLog)
    {
        if (HttpMethods.IsPut(context.Request.Method) && users is not null)
        {
            // An unusable path still gets the upload endpoint's 401/400, never a silent 405.
            var putPath = StorePath.Normalize(context.Request.Path.Value) ?? string.Empty;
            await SignatureUploadEndpoint.HandleAsync(context, putPath, users, uploads!, uploadLog);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = users is null ? "GET, HEAD" : "GET, HEAD, PUT";
            return;
        }

        await ServeAsync(context, tree);
    }

    private static async Task ServeAsync(HttpContext context, ISigstoreTree tree)
    {
        var requestPath = StorePath.Normalize(context.Request.Path.Value);
        if (requestPath is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var path = requestPath.Trim('/');
        var cancellationToken = context.RequestAborted;
        if (!requestPath.EndsWith('/'))
        {
            // Open first: one stat (one GET on S3) serves a signature, the hot path of every node pull. Nothing
            // is cached: a signature deleted, made unreadable or replaced by a symlink is refused by the next GET.
            await using (var file = await tree.OpenFileOrNullAsync(path, cancellationToken))
            {
                if (file is not null)
                {
                    await SendFileAsync(context, file, path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream");
                    return;
                }
            }
            if (await tree.DirectoryExistsAsync(path, cancellationToken))
            {
                context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                context.Response.Headers.Location = requestPath + "/";
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // A listing reads and sorts a whole directory: that is for the thread pool, not the event thread this
        // request started on (SigstoreApp); only a file's GET stays there.
        await Task.Yield();
        await using (var index = await tree.OpenFileOrNullAsync(SigstoreTreePath.Combine(path, "index.html"), cancellationToken))
        {
            if (index is not null)
            {
                await SendFileAsync(context, index, "text/html");
                return;
            }
        }

        // A file with a slash, or nothing: 404 either way.
        var entries = await tree.ListDirectoryOrNullAsync(path, cancellationToken);
        if (entries is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await WriteListingAsync(context, entries);
    }

    private static async Task SendFileAsync(HttpContext context, SigstoreTreeFile file, string contentType)
    {
        var length = file.Length;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = length;
        context.Response.Headers.LastModified = file.LastModified.ToString("R", CultureInfo.InvariantCulture);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        // Read straight into the response pipe's memory: no stream object, no extra copy. A small file (a
        // signature is about 1 KiB) is read in blocks of the pipe's own size (larger memory from Kestrel is a
        // separate buffer copied in on Advance) and leaves with the headers in one send when the request ends.
        // A larger file is read in large chunks, each flushed at once: a 1.3 MB file whose last chunk was left
        // for the end of the request never completed (SignatureServingTests).
        var writer = context.Response.BodyWriter;
        var small = length <= SmallFileBytes;
        long offset = 0;
        while (offset < length)
        {
            var memory = writer.GetMemory((int)Math.Min(length - offset, small ? PipeBlockBytes : 256 * 1024));
            var read = await file.ReadAsync(memory[..(int)Math.Min(memory.Length, length - offset)], context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            writer.Advance(read);
            offset += read;
            if (!small)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Store unavailable during {Method} {Path}: {Reason}")]
        public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);
    }

    private static async Task WriteListingAsync(HttpContext context, IReadOnlyList<SigstoreTreeEntry> listing)
    {
        var entries = listing
            .Where(e => !e.Name.StartsWith('.'))
            .OrderBy(e => e.IsDirectory ? 0 : 1)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new ListingEntry(
                e.Name,
                e.IsDirectory ? "directory" : "file",
                e.LastModified.ToString("R", CultureInfo.InvariantCulture),
                e.IsDirectory ? null : e.Length ?? 0))
            .ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(entries, SigstoreJsonContext.Default.ListListingEntry);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
