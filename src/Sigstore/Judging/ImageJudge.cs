using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Policy;

namespace U7s.Sigstore.Judging;

/// <summary>
/// The one <see cref="IImageJudge"/>: the evidence a node reads (<see cref="ImageEvidenceReader"/>) under a node
/// policy (<see cref="PolicyEvaluator"/>). Each manifest that counts is evaluated on its own signatures with the
/// reference as pulled; the image passes when every one does. For an index that is each platform manifest: a
/// node pulls one of them and checks it, so a signature on the index alone passes nothing and an unsigned index
/// over signed platforms is fine. A signature containers/image could not read fails its manifest whole.
/// </summary>
public sealed class ImageJudge(ImageEvidenceReader reader, PolicyEvaluator policy) : IImageJudge
{
    public PolicyEvaluator Policy => policy;

    public async Task<ImageVerdict> JudgeAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var evidence = await reader.ReadAsync(reference, cancellationToken);
        return evidence is null ? ImageVerdict.Missing(reference) : await EvaluateAsync(reference, evidence, cancellationToken);
    }

    public Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken) =>
        policy.SignerProblemOrNullAsync(reference, signerFingerprint, cancellationToken);

    /// <summary>The verdict on <paramref name="evidence"/> read for <paramref name="reference"/> (by this judge's reader or another).</summary>
    public async Task<ImageVerdict> EvaluateAsync(Reference reference, ImageEvidence evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(evidence);
        var (scope, requirements) = policy.Policy.RequirementsFor(DockerReference.From(reference).WithDefaultTag());
        if (evidence.Levels.Count == 0)
        {
            return new ImageVerdict(evidence.Manifest.Digest, false, ["the index lists no platform manifest"], scope);
        }

        // Only a signedBy requirement reads the lookaside; under any other a signature nobody reads fails nothing.
        var readsSignatures = requirements.Any(r => r.Type == RequirementType.SignedBy);
        var reasons = new List<string>();
        var acceptsAnything = requirements.Count > 0 && requirements.All(r => r.Type == RequirementType.InsecureAcceptAnything);
        foreach (var level in evidence.Levels)
        {
            var prefix = evidence.IsIndex ? $"instance {level.Digest}: " : string.Empty;
            if (readsSignatures && level.Unreadable is { } unreadable)
            {
                reasons.Add($"{prefix}reading signature-{unreadable.Index}: {unreadable.Problem}");
                continue;
            }

            var verdict = await policy.EvaluateAsync(reference, level.Digest, level.Signatures.Where(s => s.Content is not null).Select(s => s.Content!).ToList(), cancellationToken);
            if (!verdict.IsAllowed)
            {
                reasons.Add(prefix + string.Join("; ", verdict.Reasons));
            }
        }

        return new ImageVerdict(evidence.Manifest.Digest, reasons.Count == 0, reasons, scope, reasons.Count == 0 && acceptsAnything);
    }
}
