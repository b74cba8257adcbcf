using U7s.Oci;

namespace U7s.Registry.Access;

/// <summary>
/// The node policy's view of an image: its lookaside signatures and the verdict for pulling it. The
/// registry asks; the signature store and the policy evaluator (outside this project) answer.
/// </summary>
public interface IImageSignatures
{
    /// <summary>
    /// The verdict for pulling <paramref name="repository"/>:<paramref name="tag"/> (or
    /// <paramref name="repository"/>@<paramref name="digest"/> when <paramref name="tag"/> is null) whose
    /// manifest has <paramref name="digest"/>, from that manifest's own signatures. MAY answer from a
    /// cache, but MUST reflect a signature written through this process at once and any other change
    /// (signatures, keys, the policy) within <see cref="EnforceOptions.RecheckAfter"/>. MUST NOT throw for
    /// bad signatures or unreadable keys: those are refusals with a reason.
    /// </summary>
    ValueTask<SignatureReport> ReportAsync(RepositoryName repository, Tag? tag, Digest digest, CancellationToken cancellationToken);
}
