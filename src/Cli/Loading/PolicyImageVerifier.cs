using U7s.Cli.Commands;
using U7s.Loader.Signing;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Loading;

/// <summary>
/// The loader's <see cref="IImageVerifier"/>: checks an image the way a node pulls it (SPEC §3.2).
/// The manifest is read as the registry serves it for the tag and must be the one loaded; its
/// signatures come from the store tree; the node policy decides. For an index every instance is
/// evaluated too, because pulls verify the per-platform manifest (SPEC §2.7).
/// </summary>
internal sealed class PolicyImageVerifier(PolicyEvaluator evaluator, SignatureStore signatures, IManifestSource manifests) : IImageVerifier
{
    /// <summary>Reads and strictly parses the policy now, so a bad policy stops the load before anything is pushed.</summary>
    public static IImageVerifier Create(VerifierSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        byte[] json;
        try
        {
            json = File.ReadAllBytes(settings.PolicyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"cannot read the node policy {settings.PolicyPath}: {e.Message}", ExitCodes.InvalidInput);
        }

        PolicyDocument policy;
        try
        {
            policy = PolicyParser.Parse(json);
        }
        catch (PolicyException e)
        {
            throw new UserException($"invalid node policy {settings.PolicyPath}: {e.Message}", ExitCodes.InvalidInput);
        }

        return new PolicyImageVerifier(
            new PolicyEvaluator(policy, new BouncyCastleOpenPgp(), TimeProvider.System),
            new SignatureStore(Wiring.SigstoreTrees.Open(settings.SigstoreRoot)),
            settings.Manifests);
    }

    public async Task<VerificationResult> VerifyAsync(Reference reference, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var served = await manifests.GetManifestOrNullAsync(reference, cancellationToken);
        if (served is null)
        {
            return VerificationResult.Rejected($"the registry has no manifest for {reference}");
        }

        if (served.Digest != manifestDigest)
        {
            return VerificationResult.Rejected($"the registry serves {served.Digest} for {reference}, not {manifestDigest}");
        }

        string? acceptsAnything = null;
        foreach (var digest in IndexInstances.Of(served).Prepend(manifestDigest))
        {
            var verdict = await EvaluateAsync(reference, digest, cancellationToken);
            if (!verdict.IsAllowed)
            {
                var what = digest == manifestDigest ? string.Empty : $"instance {digest}: ";
                return VerificationResult.Rejected(what + string.Join("; ", verdict.Reasons));
            }

            if (verdict.AcceptsAnything)
            {
                acceptsAnything = verdict.Scope;
            }
        }

        // Accepted, but not because of a signature: the summary says so rather than a bare "yes".
        return acceptsAnything is null
            ? VerificationResult.Ok
            : new VerificationResult(true, $"the policy accepts any image in scope {acceptsAnything} (insecureAcceptAnything); no signature was checked");
    }

    public Task<string?> ProblemBeforeSigningOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken) =>
        evaluator.SignerProblemOrNullAsync(reference, signerFingerprint, cancellationToken);

    private async Task<PolicyVerdict> EvaluateAsync(Reference reference, Digest digest, CancellationToken cancellationToken)
    {
        var blobs = new List<byte[]>();
        await foreach (var signature in signatures.ListAsync(LookasidePath.RepositoryOf(reference), digest, cancellationToken))
        {
            blobs.Add(signature.Content);
        }

        return await evaluator.EvaluateAsync(reference, digest, blobs, cancellationToken);
    }
}
