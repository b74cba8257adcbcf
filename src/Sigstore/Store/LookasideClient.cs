using System.Net;
using System.Runtime.CompilerServices;
using U7s.Oci;

namespace U7s.Sigstore.Store;

/// <summary>
/// Reads a lookaside over HTTP the way containers/image does (SPEC §2.4): <c>signature-1</c>,
/// <c>signature-2</c>, … until the first 404; any other status is a hard error; at most 128
/// signatures of at most 4 MiB. Nodes use it where the store is not on local disk.
/// </summary>
public sealed class LookasideClient(HttpClient http)
{
    /// <summary>
    /// The signatures of <paramref name="repository"/>@<paramref name="digest"/> under
    /// <paramref name="lookasideBase"/> (e.g. <c>http://sigstore.local:81/sigstore/</c>). MUST throw
    /// <see cref="SignatureStoreException"/> for a status other than 200/404 or an oversized body.
    /// </summary>
    public async IAsyncEnumerable<StoredSignature> ListAsync(Uri lookasideBase, RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookasideBase);
        var prefix = lookasideBase.ToString().TrimEnd('/');
        for (var index = 1; index <= SignatureStore.MaxSignatures; index++)
        {
            var uri = new Uri($"{prefix}/{SignatureStore.RelativePath(repository, digest, index)}");
            byte[] content;
            try
            {
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    yield break;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new SignatureStoreException($"reading signature from {uri}: status {(int)response.StatusCode} ({response.ReasonPhrase})");
                }

                // Declared or not (chunked), no more than the limit and one byte is read.
                content = await BoundedBody.ReadOrNullAsync(response.Content, SignatureStore.MaxSignatureBytes, cancellationToken)
                    ?? throw new SignatureStoreException($"signature {uri} is larger than 4 MiB");
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new SignatureStoreException($"reading signature from {uri}: {e.Message}", e);
            }

            yield return new StoredSignature(index, content);
        }
    }
}
