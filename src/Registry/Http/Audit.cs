using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>Records a change made by a request, with its user and remote address, before the answer goes out.</summary>
internal static class Audit
{
    public static Task WriteAsync(HttpContext context, string action, RepositoryName repository, string? digest, string? tag = null)
    {
        var log = context.RequestServices.GetRequiredService<IAuditLog>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
        var auditEvent = new AuditEvent(time, user, action, repository.Value, digest, tag, context.Connection.RemoteIpAddress?.ToString());
        return log.WriteAsync(auditEvent, context.RequestAborted);
    }
}
