using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Signing;

/// <summary>
/// Signs one image into the lookaside store: the service <c>u7s sign</c> and the loader call.
/// </summary>
public sealed class ImageSigner(IOpenPgp openPgp, SignatureStore store, TimeProvider time, string creator)
{
    /// <summary>
    /// Signs identity <paramref name="reference"/> (a fully explicit <c>host/repo:tag</c>, as nodes
    /// pull it) for <paramref name="manifestDigest"/> with the primary of <paramref name="key"/>,
    /// and appends the signature as the next <c>signature-N</c> (SPEC §2.4). Writes nothing and
    /// returns the existing index when a valid signature by the same key for the same identity is
    /// already there. MUST refuse a reference without host or tag.
    /// </summary>
    public Task<SignOutcome> SignAsync(Reference reference, Digest manifestDigest, SignerKey key, CancellationToken cancellationToken) =>
        SignAsync(reference, manifestDigest, key, force: false, cancellationToken);

    /// <summary>
    /// As <see cref="SignAsync(Reference, Digest, SignerKey, CancellationToken)"/>; with
    /// <paramref name="force"/> a new signature is appended even when an equivalent one exists. RSA
    /// (PKCS#1 v1.5) and Ed25519 signatures are deterministic and OpenPGP times have one-second
    /// resolution, so a forced signature made in the same second as an identical one would be the
    /// same bytes, which the store keeps once: it is then made again in the next second.
    /// </summary>
    public async Task<SignOutcome> SignAsync(Reference reference, Digest manifestDigest, SignerKey key, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(key);
        if (reference.Host is null || reference.Tag is null || reference.Digest is not null)
        {
            throw new ArgumentException($"the signed identity must be host/repository:tag, not '{reference}'", nameof(reference));
        }

        var identity = reference.ToString();
        var repository = LookasidePath.RepositoryOf(reference);
        if (!force && await FindEquivalentAsync(repository, manifestDigest, identity, key, cancellationToken) is { } existing)
        {
            return new SignOutcome(existing, Created: false, identity, key.Fingerprint);
        }

        var signedAt = time.GetUtcNow();
        var appended = await SignAndAppendAsync(repository, manifestDigest, identity, key, signedAt, cancellationToken);
        if (force && !appended.Created)
        {
            // A loop, not one delay: a timer may fire a little before the wall clock reaches the next second.
            var nextSecond = DateTimeOffset.FromUnixTimeSeconds(signedAt.ToUnixTimeSeconds() + 1);
            for (var wait = nextSecond - time.GetUtcNow(); wait > TimeSpan.Zero; wait = nextSecond - time.GetUtcNow())
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            appended = await SignAndAppendAsync(repository, manifestDigest, identity, key, time.GetUtcNow(), cancellationToken);
        }

        return new SignOutcome(appended.Index, appended.Created, identity, key.Fingerprint);
    }

    /// <summary>The simple-signing signature of <paramref name="identity"/> → <paramref name="manifestDigest"/> made at <paramref name="signedAt"/> (SPEC §2.1).</summary>
    public static byte[] CreateSignature(IOpenPgp openPgp, string creator, string identity, Digest manifestDigest, SignerKey key, DateTimeOffset signedAt)
    {
        ArgumentNullException.ThrowIfNull(openPgp);
        ArgumentNullException.ThrowIfNull(key);
        var payload = new SignaturePayload(identity, manifestDigest, creator, signedAt.ToUnixTimeSeconds());
        return openPgp.Sign(payload.ToJsonBytes(), key.SecretKey, key.Fingerprint, key.Passphrase, SignatureHash.Sha256, signedAt);
    }

    /// <summary>The index of a valid signature by <paramref name="key"/> for <paramref name="identity"/> among <paramref name="existing"/>, if there is one.</summary>
    public static async Task<int?> FindEquivalentAsync(
        IAsyncEnumerable<StoredSignature> existing, IOpenPgp openPgp, TimeProvider time, Digest manifestDigest, string identity, SignerKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(key);

        // Made only when there is something to check: a first signature (the usual case) needs neither.
        SignatureVerifier? verifier = null;
        TrustedKeyring? trusted = null;
        await foreach (var signature in existing.WithCancellation(cancellationToken))
        {
            verifier ??= new SignatureVerifier(openPgp, time);
            trusted ??= TrustedKeyring.Load(openPgp, [key.PublicKey], time.GetUtcNow());
            if (verifier.Check(signature.Content, trusted, manifestDigest, id => id == identity, cancellationToken).IsAccepted)
            {
                return signature.Index;
            }
        }

        return null;
    }

    private Task<AppendResult> SignAndAppendAsync(RepositoryName repository, Digest manifestDigest, string identity, SignerKey key, DateTimeOffset signedAt, CancellationToken cancellationToken) =>
        store.AppendAsync(repository, manifestDigest, CreateSignature(openPgp, creator, identity, manifestDigest, key, signedAt), cancellationToken);

    private Task<int?> FindEquivalentAsync(RepositoryName repository, Digest manifestDigest, string identity, SignerKey key, CancellationToken cancellationToken) =>
        FindEquivalentAsync(store.ListAsync(repository, manifestDigest, cancellationToken), openPgp, time, manifestDigest, identity, key, cancellationToken);
}
