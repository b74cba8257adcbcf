using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Oci;

namespace U7s.Sigstore.Store;

/// <summary>
/// Sends one signature through a signature store's authenticated write API (<c>PUT /sigstore/&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;/signature</c>
/// on :81), where the server checks it and picks its index: the way an imagemaker signs from her own machine. The
/// client's <see cref="HttpClient"/> brings the login.
/// </summary>
public sealed class SignatureUploadClient(HttpClient http)
{
    /// <summary>Largest reply read: the server's one-line message.</summary>
    private const int MaxReplyBytes = 4096;

    /// <summary>
    /// Uploads <paramref name="signature"/>; the outcome carries the status, the server's message and, when stored or
    /// already present, the index. Transport failures are <see cref="SignatureStoreException"/>.
    /// </summary>
    public async Task<SignatureUploadOutcome> UploadAsync(Uri sigstoreBase, RepositoryName repository, Digest digest, byte[] signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sigstoreBase);
        var uri = new Uri($"{sigstoreBase.ToString().TrimEnd('/')}/sigstore/{SignatureStore.RelativeDirectory(repository, digest)}/signature");
        using var content = new ByteArrayContent(signature);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        try
        {
            using var response = await http.PutAsync(uri, content, cancellationToken);
            var message = Encoding.UTF8.GetString(await BoundedBody.ReadPrefixAsync(response.Content, MaxReplyBytes, cancellationToken)).Trim();
            var index = response.Headers.Location is { } location && location.OriginalString.LastIndexOf("/signature-", StringComparison.Ordinal) is var at and >= 0
                && int.TryParse(location.OriginalString[(at + "/signature-".Length)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : (int?)null;
            return new SignatureUploadOutcome((int)response.StatusCode, message.Length == 0 ? response.ReasonPhrase ?? string.Empty : message, index, uri);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new SignatureStoreException($"cannot send the signature to {uri}: {e.Message}", e);
        }
    }
}
