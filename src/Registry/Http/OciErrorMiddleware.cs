using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry.Blobs;

namespace U7s.Registry.Http;

/// <summary>
/// Turns every failure into the OCI error envelope: client mistakes are 4xx with the spec's code,
/// never a 500; a client that went away is logged at Debug; anything else is logged once as a 500.
/// </summary>
internal sealed partial class OciErrorMiddleware(RequestDelegate next, ILogger<OciErrorMiddleware> logger, RegistryMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OciException e) when (!context.Response.HasStarted)
        {
            await OciErrorWriter.WriteAsync(context, e.Code, e.Detail);
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

        [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string method, string path);
    }
}
