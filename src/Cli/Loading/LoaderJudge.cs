using U7s.Cli.Commands;
using U7s.Cli.Wiring;
using U7s.Oci.Policy;
using U7s.Sigstore.Judging;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;

namespace U7s.Cli.Loading;

/// <summary>
/// The loader's <see cref="IImageJudge"/>: the one judge (<see cref="ImageJudge"/>) over the manifests as the
/// registry serves them for the tag (the loader then checks the digest is the one it pushed), the signatures in the
/// store tree it signed into, and the node policy given with <c>--policy</c> (staged in a node tree with <c>--root</c>: its key
/// paths read inside that tree).
/// </summary>
internal static class LoaderJudge
{
    /// <summary>Reads and strictly parses the policy now, so a bad policy stops the load before anything is pushed.</summary>
    public static IImageJudge Create(VerifierSettings settings)
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

        var signatures = new TreeSignatures(SigstoreTrees.Open(settings.SigstoreRoot), settings.SigstoreRoot);
        return new ImageJudge(
            new ImageEvidenceReader(settings.Manifests, signatures),
            new PolicyEvaluator(settings.StagedRoot is { } root ? StagedPolicy.InTree(policy, root) : policy, new BouncyCastleOpenPgp(), TimeProvider.System));
    }
}
