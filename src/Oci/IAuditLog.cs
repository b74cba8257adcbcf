namespace U7s.Oci;

/// <summary>Where audit events go. Implementations MUST be safe for concurrent callers and MUST NOT drop events silently.</summary>
public interface IAuditLog
{
    Task WriteAsync(AuditEvent auditEvent, CancellationToken cancellationToken);
}
