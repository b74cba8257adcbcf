using U7s.Oci;

namespace U7s.Server.Enforcement;

/// <summary>
/// The audit log as <c>u7s serve</c> shares it between both ports, telling <paramref name="changed"/>
/// about every change it records. Every signature write through :81 and every manifest push or delete
/// through :80 is audited, so cached verdicts and status see this process's own changes at once.
/// </summary>
internal sealed class InvalidatingAuditLog(IAuditLog inner, Action<AuditEvent> changed) : IAuditLog
{
    public async Task WriteAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        // Invalidate even when the write fails: the change itself has already happened.
        try
        {
            await inner.WriteAsync(auditEvent, cancellationToken);
        }
        finally
        {
            changed(auditEvent);
        }
    }
}
