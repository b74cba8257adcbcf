using U7s.Oci;

namespace U7s.Registry.Access;

/// <summary>The default without a policy: nothing is judged, every manifest is served.</summary>
internal sealed class NoImageSignatures : IImageSignatures
{
    public ValueTask<SignatureReport> ReportAsync(RepositoryName repository, Tag? tag, Digest digest, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SignatureReport.NoPolicy);
}
