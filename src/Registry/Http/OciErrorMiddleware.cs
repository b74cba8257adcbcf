using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Health;
using U7s.Registry.Storage;

namespace U7s.Registry.Http;

/// <summary>
/// Turns every failure into the OCI error envelope: client mistakes are 4xx with the spec's code,
/// never a 500; a client that went away is logged at Debug; a full disk is 507 with a message that says so,
/// logged once; a store that does not answer is 503 UNAVAILABLE (and readiness turns 503 with it), logged once;
/// anything else is logged once as a 500.
/// </summary>
internal sealed partial class OciErrorMiddleware(RequestDelegate next, ILogger<OciErrorMiddleware> logger, RegistryMetrics metrics, StoreReadiness readiness)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OciException e) when (!context.Response.HasStarted)
        {
            await OciErrorWriter.WriteAsync(context, e.Status, OciErrorCodes.Name(e.Code), e.WireMessage ?? OciErrorCodes.Message(e.Code), e.Detail);
        }
        catch (UploadRangeException e) when (!context.Response.HasStarted)
        {
            UploadHeaders.Set(context.Response, e.Upload);
            await OciErrorWriter.WriteAsync(context, OciErrorCode.RangeInvalid, e.Message);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? OciErrorCode.SizeInvalid : OciErrorCode.Unsupported;
            await OciErrorWriter.WriteAsync(context, e.StatusCode, OciErrorCodes.Name(code), "bad request", e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            Log.ClientAborted(logger, context.Request.Method, context.Request.Path);
        }
        catch (StorageException e) when (e.IsUnavailable && !context.Response.HasStarted)
        {
            // Nothing half-written: every store write is whole or absent, and the commit points come last.
            Log.StoreUnavailable(logger, context.Request.Method, context.Request.Path, e.Message);
            readiness.ReportUnavailable(e);
            context.Response.Headers.RetryAfter = "5";
            await OciErrorWriter.WriteAsync(context, OciErrorCode.Unavailable, "the registry's store did not answer; retry shortly");
        }
        catch (StorageException e) when (e.IsUnavailable)
        {
            // The store stopped mid-answer (a blob being streamed): nothing can be said any more but a cut connection.
            Log.StoreUnavailable(logger, context.Request.Method, context.Request.Path, e.Message);
            readiness.ReportUnavailable(e);
            context.Abort();
        }
        catch (IOException e) when (StorageFull.Is(e) && !context.Response.HasStarted)
        {
            Log.StorageFull(logger, context.Request.Method, context.Request.Path, e.Message);
            await OciErrorWriter.WriteAsync(context, OciErrorCode.StorageFull, "no space is left on the registry's storage; retry once space has been freed (u7s gc)");
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            Log.Failed(logger, e, context.Request.Method, context.Request.Path);
            await OciErrorWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, "UNKNOWN", "internal error", null);
        }
        finally
        {
            metrics.RequestCompleted(context.Request.Method, context.Response.StatusCode);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Client went away during {Method} {Path}")]
        public static partial void ClientAborted(ILogger logger, string method, string path);

        [LoggerMessage(Level = LogLevel.Error, Message = "Storage is full: {Method} {Path} failed ({Reason}); free space or run u7s gc")]
        public static partial void StorageFull(ILogger logger, string method, string path, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Store unavailable during {Method} {Path}: {Reason}")]
        public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string method, string path);
    }
}
