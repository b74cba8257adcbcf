using System.Runtime.CompilerServices;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Judging;

/// <summary>
/// The signatures under a lookaside URL (<c>http://sigstore.local:81/sigstore/</c>), read as a node reads them
/// (<see cref="LookasideClient"/>: any status but 200 and 404, or a body over 4 MiB, fails the read).
/// </summary>
public sealed class LookasideSignatures(LookasideClient client, Uri lookaside) : ISignatureSource
{
    public string Location(RepositoryName repository, Digest digest) =>
        $"{lookaside.ToString().TrimEnd('/')}/{SignatureStore.RelativeDirectory(repository, digest)}/";

    public async IAsyncEnumerable<SignatureBlob> ListAsync(RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var signature in client.ListAsync(lookaside, repository, digest, cancellationToken))
        {
            // Read whole (4 MiB at most) by the client; judged on no more than could verify, like the tree's.
            var content = signature.Content.Length > SignedMessageReader.MaxMessageBytes ? signature.Content[..(SignedMessageReader.MaxMessageBytes + 1)] : signature.Content;
            yield return new SignatureBlob(signature.Index, content);
        }
    }
}
