namespace U7s.Oci;

/// <summary>Where audit events go. Implementations MUST be safe for concurrent callers and MUST NOT drop events silently.</summary>
public interface IAuditLog
{
    Task WriteAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="count"/> of the newest events, newest first, without their remote addresses (for the
    /// status page, which anyone may read); none when nothing was recorded yet.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>> ReadRecentAsync(int count, CancellationToken cancellationToken);
}
