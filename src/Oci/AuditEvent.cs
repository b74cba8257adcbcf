namespace U7s.Oci;

/// <summary>One line of the audit log: who changed what. Pushes, deletes and signature writes are audited.</summary>
/// <param name="User">The authenticated user, or null for an anonymous request.</param>
/// <param name="Action">
/// e.g. <c>manifest.push</c>, <c>manifest.delete</c>, <c>tag.delete</c>, <c>blob.push</c> (an upload committed),
/// <c>blob.mount</c>, <c>blob.delete</c>, <c>signature.write</c>.
/// </param>
/// <param name="From">The repository a mounted blob came from, when the client named one.</param>
public sealed record AuditEvent(DateTimeOffset Time, string? User, string Action, string Repository, string? Digest, string? Tag = null, string? Remote = null, string? Signature = null, string? From = null);
