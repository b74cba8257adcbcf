using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;

namespace U7s.Sigstore.Policy;

/// <summary>
/// Decides whether an image may be pulled under a <see cref="PolicyDocument"/>, as containers/image
/// 5.23 does (SPEC §3.2): the requirements of the most specific scope must all pass (AND); inside
/// one <c>signedBy</c> one accepted signature suffices and invalid ones are skipped (OR).
/// The cluster preflight and <c>u7s verify</c> call this.
/// </summary>
public sealed class PolicyEvaluator(PolicyDocument policy, IOpenPgp openPgp, TimeProvider time)
{
    public PolicyDocument Policy { get; } = policy;

    /// <summary>Reads and strictly parses a policy file; MUST throw <see cref="PolicyException"/> for a bad file.</summary>
    public static async Task<PolicyEvaluator> LoadAsync(string path, IOpenPgp openPgp, TimeProvider time, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"cannot read policy {path}: {e.Message}", e);
        }

        return new PolicyEvaluator(PolicyParser.Parse(json), openPgp, time);
    }

    /// <summary>
    /// Evaluates the image pulled as <paramref name="reference"/> (a tag or digest reference; a bare
    /// name means <c>:latest</c>) whose manifest has <paramref name="manifestDigest"/>, given the
    /// blobs of its lookaside signatures in order. Never throws for bad signatures or unreadable
    /// key files: those become reasons.
    /// </summary>
    public async Task<PolicyVerdict> EvaluateAsync(Reference reference, Digest manifestDigest, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(signatures);
        var intended = DockerReference.From(reference).WithDefaultTag();
        var (scope, requirements) = Policy.RequirementsFor(intended);
        var reasons = new List<string>();
        foreach (var requirement in requirements)
        {
            if (await FailureOfAsync(requirement, intended, manifestDigest, signatures, cancellationToken) is { } reason)
            {
                reasons.Add(reason);
            }
        }

        var acceptsAnything = requirements.Count > 0 && requirements.All(r => r.Type == RequirementType.InsecureAcceptAnything);
        return new PolicyVerdict(reasons.Count == 0, scope, reasons, acceptsAnything);
    }

    /// <summary>
    /// Why an image pulled as <paramref name="reference"/> would be refused even with a valid signature
    /// by the primary key <paramref name="signerFingerprint"/> claiming exactly that reference, or null
    /// when such a signature satisfies the policy: a <c>reject</c> or unsupported requirement, trusted
    /// keys that cannot be read, a <c>signedBy</c> that does not trust the key, a <c>signedIdentity</c>
    /// that does not accept the reference. Reads the key files, nothing else; lets a signer find out
    /// before it publishes anything.
    /// </summary>
    public async Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var intended = DockerReference.From(reference).WithDefaultTag();
        var (scope, requirements) = Policy.RequirementsFor(intended);
        foreach (var requirement in requirements)
        {
            if (requirement.Type == RequirementType.Reject)
            {
                // Said without the image name, so one cause covers every image it hits.
                return $"the policy rejects every image in scope {scope}";
            }

            if (requirement.Type != RequirementType.SignedBy || requirement.KeyType != "GPGKeys")
            {
                if (await FailureOfAsync(requirement, intended, default, [], cancellationToken) is { } reason)
                {
                    return $"{reason} (scope {scope})";
                }

                continue;
            }

            var (trusted, problem) = await LoadKeysAsync(requirement, cancellationToken);
            if (problem is not null)
            {
                return $"{problem} (scope {scope})";
            }

            if (!trusted!.PrimaryFingerprints.Contains(signerFingerprint.ToUpperInvariant()))
            {
                return $"the signedBy keys of scope {scope} do not include the signer's key {signerFingerprint}";
            }

            if (!(requirement.Identity ?? SignedIdentity.Default).Matches(intended, reference.ToString()))
            {
                return $"the signedIdentity of scope {scope} does not accept the identity {reference} that is signed";
            }
        }

        return null;
    }

    private async Task<string?> FailureOfAsync(PolicyRequirement requirement, DockerReference intended, Digest digest, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken)
    {
        switch (requirement.Type)
        {
            case RequirementType.InsecureAcceptAnything:
                return null;
            case RequirementType.Reject:
                return $"Running image docker://{intended} is rejected by policy.";
            case RequirementType.SignedBaseLayer:
                return "signedBaseLayer not implemented yet!";
            case RequirementType.SigstoreSigned:
                return "sigstoreSigned requirements are not supported by U7s";
            case RequirementType.SignedBy when requirement.KeyType != "GPGKeys":
                return $"Unsupported \"keyType\" \"{requirement.KeyType}\"";
            default:
                return await SignedByFailureAsync(requirement, intended, digest, signatures, cancellationToken);
        }
    }

    /// <summary>
    /// Each signature on its own against the <c>signedBy</c> requirements that decide for
    /// <paramref name="reference"/>: accepted when one of them accepts it, otherwise rejected with the
    /// first requirement's reason (containers/image's texts). Null when the deciding scope has no
    /// <c>signedBy</c> requirement, so no signature counts there either way.
    /// </summary>
    public async Task<IReadOnlyList<SignatureCheck>?> CheckEachAsync(Reference reference, Digest manifestDigest, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(signatures);
        var intended = DockerReference.From(reference).WithDefaultTag();
        var signedBy = Policy.RequirementsFor(intended).Requirements.Where(r => r.Type == RequirementType.SignedBy && r.KeyType == "GPGKeys").ToList();
        if (signedBy.Count == 0)
        {
            return null;
        }

        var verifier = new SignatureVerifier(openPgp, time);
        var checks = new SignatureCheck?[signatures.Count];
        foreach (var requirement in signedBy)
        {
            var (trusted, problem) = await LoadKeysAsync(requirement, cancellationToken);
            var identity = requirement.Identity ?? SignedIdentity.Default;
            for (var i = 0; i < signatures.Count; i++)
            {
                if (checks[i] is { IsAccepted: true })
                {
                    continue;
                }

                var check = trusted is null
                    ? new SignatureCheck(false, null, null, problem)
                    : verifier.Check(signatures[i], trusted, manifestDigest, signed => identity.Matches(intended, signed), cancellationToken);
                checks[i] = checks[i] is null || check.IsAccepted ? check : checks[i];
            }
        }

        return checks.Select(c => c!).ToList();
    }

    private async Task<string?> SignedByFailureAsync(PolicyRequirement requirement, DockerReference intended, Digest digest, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken)
    {
        var (trusted, problem) = await LoadKeysAsync(requirement, cancellationToken);
        if (trusted is null)
        {
            return problem;
        }

        var identity = requirement.Identity ?? SignedIdentity.Default;
        var verifier = new SignatureVerifier(openPgp, time);
        var rejections = new List<string>();
        foreach (var signature in signatures)
        {
            var check = verifier.Check(signature, trusted, digest, signed => identity.Matches(intended, signed), cancellationToken);
            if (check.IsAccepted)
            {
                return null;
            }

            rejections.Add(check.Reason!);
        }

        return rejections.Count switch
        {
            0 => "A signature was required, but no signature exists",
            1 => rejections[0],
            _ => "None of the signatures were accepted, reasons: " + string.Join("; ", rejections),
        };
    }

    private async Task<(TrustedKeyring? Trusted, string? Problem)> LoadKeysAsync(PolicyRequirement requirement, CancellationToken cancellationToken)
    {
        try
        {
            var keyrings = new List<byte[]>();
            if (requirement.KeyData is { } data)
            {
                keyrings.Add(data);
            }

            foreach (var path in requirement.KeyPaths ?? [])
            {
                keyrings.Add(await File.ReadAllBytesAsync(path, cancellationToken));
            }

            return (TrustedKeyring.Load(openPgp, keyrings, time.GetUtcNow()), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenPgpException)
        {
            return (null, "cannot read the signedBy keys: " + e.Message);
        }
    }
}
