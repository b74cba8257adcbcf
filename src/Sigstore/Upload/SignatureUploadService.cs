using System.Text.Unicode;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Security.Signers;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Upload;

/// <summary>
/// Accepts a signature for <c>&lt;repo&gt;@&lt;digest&gt;</c> from an authenticated imagemaker and
/// appends it to the store only when everything holds: the user's key in the authorization document
/// (<see cref="SignerScopes"/>, root-owned; never the served <c>keys/</c>) made it (primary key), its
/// digest is the one in the path, its identity names the same repository, the registry serves that
/// manifest for the identity, and the document's policy lists the user's key for the identity's
/// scope. Otherwise a 4xx and nothing is stored.
/// </summary>
public sealed class SignatureUploadService(SignatureStore store, SignerScopes scopes, IOpenPgp openPgp, IManifestSource manifests, TimeProvider time)
{
    public async Task<UploadResult> UploadAsync(string user, RepositoryName repository, Digest digest, byte[] signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length is 0 or > SignatureStore.MaxSignatureBytes)
        {
            return new UploadResult(signature.Length == 0 ? 400 : 413, "signature must be 1 byte to 4 MiB");
        }

        var rights = await scopes.ReadAsync(cancellationToken);
        if (rights.KeyOrNull(user) is not { } key)
        {
            return new UploadResult(403, $"{user} is not a signer (no key in the authorization file)");
        }

        var trusted = TrustedKeyring.Load(openPgp, [key], time.GetUtcNow());
        Reference? identity = null;

        // host/repo:tag exactly (SPEC §2.1): a digest beside the tag would make the registry check
        // below look the manifest up by that digest, so "v2 is X" would pass while v2 points elsewhere.
        var check = new SignatureVerifier(openPgp, time).Check(
            signature,
            trusted,
            digest,
            signed => Reference.TryParse(signed, out identity) && identity.Tag is not null && identity.Digest is null && identity.Host is not null && LookasidePath.RepositoryOf(identity) == repository,
            cancellationToken);
        if (!check.IsAccepted)
        {
            return new UploadResult(400, check.Reason!);
        }

        if (check.TrailingBytes > 0)
        {
            // gpgme ignores them, but they are not part of what was signed: the store keeps messages only.
            return new UploadResult(400, $"{check.TrailingBytes} bytes follow the signed message");
        }

        if (!Utf8.IsValid(check.Content))
        {
            // containers/image would read the bad bytes as U+FFFD; the store keeps only payloads that say what they mean.
            return new UploadResult(400, "the signed payload is not valid UTF-8");
        }

        if (!rights.MaySign(user, DockerReference.From(identity!)))
        {
            return new UploadResult(403, $"{user} may not sign {identity}");
        }

        FetchedManifest? manifest;
        try
        {
            manifest = await manifests.GetManifestOrNullAsync(identity!, cancellationToken);
        }
        catch (ManifestSourceException e)
        {
            // The registry could not say: not the uploader's fault, and no reason to believe the manifest is absent.
            return new UploadResult(503, $"cannot check the manifest: {e.Message}");
        }

        if (manifest is null || manifest.Digest != digest)
        {
            return new UploadResult(404, $"the registry does not serve {digest} as {identity}");
        }

        try
        {
            var appended = await store.AppendAsync(repository, digest, signature, cancellationToken);
            return new UploadResult(appended.Created ? 201 : 200, appended.Created ? "stored" : "already present", appended.Index);
        }
        catch (Exception e) when (e is SignatureStoreException or U7s.Native.UnsafePathException)
        {
            // UnsafePathException: a symlink planted in the tree where the signature directory should be.
            return new UploadResult(409, e.Message);
        }
    }
}
