using System.Runtime.CompilerServices;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Judging;

/// <summary>
/// The signatures in a served tree (the filesystem or a bucket), read bounded whatever was written there: a file
/// is opened to learn its length first, and no more of it is read than a signature that could verify may hold
/// (<see cref="SignedMessageReader.MaxMessageBytes"/> and one byte, so a longer one is seen to be too long), so
/// what one judgement holds is at most <see cref="SignatureStore.MaxSignatures"/> such reads per manifest.
/// </summary>
/// <param name="root">How messages name the tree's root (a directory or <c>s3://bucket/prefix</c>).</param>
public sealed class TreeSignatures(ISigstoreTree tree, string root) : ISignatureSource
{
    public string Location(RepositoryName repository, Digest digest) =>
        (tree is FileSystemSigstoreTree files
            ? files.FullPath($"{SignatureStore.TreeDirectory}/{SignatureStore.RelativeDirectory(repository, digest)}")
            : $"{root.TrimEnd('/')}/{SignatureStore.TreeDirectory}/{SignatureStore.RelativeDirectory(repository, digest)}") + "/";

    public async IAsyncEnumerable<SignatureBlob> ListAsync(RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var index = 1; index <= SignatureStore.MaxSignatures; index++)
        {
            await using var file = await tree.OpenFileOrNullAsync(SignatureStore.TreePath(repository, digest, index), cancellationToken);
            if (file is null)
            {
                yield break;
            }

            if (file.Length > SignatureStore.MaxSignatureBytes)
            {
                yield return new SignatureBlob(index, null, $"larger than {SignatureStore.MaxSignatureBytes / (1024 * 1024)} MiB, which containers/image refuses to read");
                continue;
            }

            var content = new byte[Math.Min(file.Length, (long)SignedMessageReader.MaxMessageBytes + 1)];
            var read = 0;
            while (read < content.Length && await file.ReadAsync(content.AsMemory(read), cancellationToken) is var n and > 0)
            {
                read += n;
            }

            // Shrunk while we read (someone rewrote it): what is there is what we judge.
            yield return new SignatureBlob(index, read == content.Length ? content : content[..read]);
        }
    }
}
