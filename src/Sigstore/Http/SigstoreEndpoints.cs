using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Http;

/// <summary>
/// The read-only view of the store tree, as nginx served it for podsec (SPEC §2.5): files, a JSON
/// listing for directories, 301 for a directory without its slash, a bare 404 for anything missing
/// (clients read 404 as "no more signatures"; any other status fails the whole pull).
/// </summary>
internal static class SigstoreEndpoints
{
    public static void Map(WebApplication app, SigstoreOptions options)
    {
        var root = Path.GetFullPath(options.Root);
        var users = options.HtpasswdPath is null ? null : new HtpasswdFile(options.HtpasswdPath);
        var uploads = users is null ? null : app.Services.GetRequiredService<SignatureUploadService>();
        var uploadLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("U7s.Sigstore.Http.SignatureUpload");
        app.Run(async context =>
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

            await ServeAsync(context, root);
        });
    }

    private static async Task ServeAsync(HttpContext context, string root)
    {
        var requestPath = StorePath.Normalize(context.Request.Path.Value);
        if (requestPath is null || StorePath.Resolve(root, requestPath) is not { } full)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // One stat decides between file, directory and nothing: this is the hot path of every node pull.
        var file = new FileInfo(full);
        if (file.Exists)
        {
            if (requestPath.EndsWith('/'))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var type = full.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
            await SendFileAsync(context, file, type);
            return;
        }

        if (Directory.Exists(full))
        {
            if (!requestPath.EndsWith('/'))
            {
                context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                context.Response.Headers.Location = requestPath + "/";
                return;
            }

            var index = Path.Combine(full, "index.html");
            if (new FileInfo(index) is { Exists: true } indexFile)
            {
                await SendFileAsync(context, indexFile, "text/html");
                return;
            }

            await WriteListingAsync(context, full);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private static async Task SendFileAsync(HttpContext context, FileInfo info, string contentType)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Renumbered or removed between the stat and the open: gone, which readers take as the end of the list.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using (handle)
        {
            var length = RandomAccess.GetLength(handle);
            context.Response.ContentType = contentType;
            context.Response.ContentLength = length;
            context.Response.Headers.LastModified = info.LastWriteTimeUtc.ToString("R", CultureInfo.InvariantCulture);
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            // Read straight into the response pipe's memory: no stream object, no second open.
            var writer = context.Response.BodyWriter;
            long offset = 0;
            while (offset < length)
            {
                var memory = writer.GetMemory((int)Math.Min(length - offset, 256 * 1024));
                var read = await RandomAccess.ReadAsync(handle, memory[..(int)Math.Min(memory.Length, length - offset)], offset, context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                offset += read;
                await writer.FlushAsync(context.RequestAborted);
            }
        }
    }

    private static async Task WriteListingAsync(HttpContext context, string directory)
    {
        var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos()
            .Where(e => !e.Name.StartsWith('.'))
            .OrderBy(e => e is FileInfo ? 1 : 0)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new ListingEntry(
                e.Name,
                e is FileInfo ? "file" : "directory",
                e.LastWriteTimeUtc.ToString("R", CultureInfo.InvariantCulture),
                (e as FileInfo)?.Length))
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
