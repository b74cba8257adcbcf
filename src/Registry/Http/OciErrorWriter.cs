using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>Writes the one error envelope of the distribution spec: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
internal static class OciErrorWriter
{
    public static async Task WriteAsync(HttpContext context, int status, string code, string message, string? detail)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        context.RequestServices.GetService<RegistryMetrics>()?.Error(code);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("errors");
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            if (detail is not null)
            {
                writer.WriteString("detail", detail);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    public static Task WriteAsync(HttpContext context, OciErrorCode code, string? detail) =>
        WriteAsync(context, OciErrorCodes.Status(code), OciErrorCodes.Name(code), OciErrorCodes.Message(code), detail);
}
