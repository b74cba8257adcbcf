using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>Records a change made by a request, with its user and remote address, before the answer goes out.</summary>
internal static class Audit
{
    /// <summary>
    /// Called once the change is committed. Never cancelled with the request: a client that resets after
    /// sending its request must not leave a committed change without its record.
    /// </summary>
    public static Task WriteAsync(HttpContext context, string action, RepositoryName repository, string? digest, string? tag = null, RepositoryName? from = null)
    {
        var log = context.RequestServices.GetRequiredService<IAuditLog>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var auditEvent = new AuditEvent(time, UserOf(context), action, repository.Value, digest, tag, context.Connection.RemoteIpAddress?.ToString(), From: from?.Value);
        return log.WriteAsync(auditEvent, CancellationToken.None);
    }

    /// <summary>The logged-in user, or null for an anonymous request.</summary>
    public static string? UserOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
}
