using U7s.Oci;

namespace U7s.Sigstore.Judging;

/// <summary>Where a judge reads the lookaside signatures of a manifest: the served tree, or a lookaside over HTTP as nodes read it.</summary>
public interface ISignatureSource
{
    /// <summary>Where the signatures of <paramref name="repository"/>@<paramref name="digest"/> are looked for, ending in <c>/</c>; for messages.</summary>
    string Location(RepositoryName repository, Digest digest);

    /// <summary>
    /// <c>signature-1</c>, <c>signature-2</c>, … until the first one missing (as containers/image reads a lookaside),
    /// each bounded: never more of a blob than <see cref="OpenPgp.SignedMessageReader.MaxMessageBytes"/> and one byte,
    /// and one over 4 MiB (which containers/image refuses to read) with its <see cref="SignatureBlob.Problem"/>.
    /// MAY throw when the store cannot be read (the reader turns that into an
    /// <see cref="Oci.Policy.ImageJudgeException"/>).
    /// </summary>
    IAsyncEnumerable<SignatureBlob> ListAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);
}
