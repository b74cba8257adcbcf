using System.Runtime.CompilerServices;
using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Store;
using RegistriesD = U7s.Cluster.Node.RegistriesD;

namespace U7s.Cli.Wiring;

/// <summary>
/// The kubeadm preflight's <see cref="IImageJudge"/>: the one judge (<see cref="ImageJudge"/>) with what this node's
/// pull reads (SPEC §2.4, §3.2-3.3): the manifest the registry serves over HTTP (its sha256 is the signed digest),
/// the signatures from the lookaside the node's <c>/etc/containers/registries.d</c> names, and the node's
/// <c>/etc/containers/policy.json</c>, read again for each image. Under a staging root the policy, registries.d and
/// absolute key paths are read inside that root, as the node would read them. <paramref name="registryUrl"/> and
/// <paramref name="lookasideUrl"/> replace <c>http://&lt;registry host&gt;/</c> and the registries.d lookaside (e.g.
/// to reach <c>registry.local</c> through 127.0.0.1); <paramref name="policyFile"/> (a path on this machine) replaces
/// the node's policy. What it reports quotes servers and signatures: escaped.
/// </summary>
internal sealed class NodeImageJudge(HttpClient http, NodeRoot root, TimeProvider time, Uri? registryUrl = null, Uri? lookasideUrl = null, string? policyFile = null) : IImageJudge
{
    private const string RegistriesDirectory = "/etc/containers/registries.d";

    private readonly BouncyCastleOpenPgp _openPgp = new();

    public async Task<ImageVerdict> JudgeAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        PolicyEvaluator? policy = null;
        ISignatureSource signatures = new NoLookaside();
        // Policy and registries.d first: when either is broken, nothing of the image but its manifest is read.
        string? problem = null;
        try
        {
            policy = await LoadPolicyAsync(cancellationToken);
            signatures = (lookasideUrl ?? RegistriesD.LookasideFor(ReadRegistriesD(), reference.ToString())) is { } lookaside
                ? new LookasideSignatures(new LookasideClient(http), lookaside)
                : signatures;
        }
        catch (Exception e) when (e is PolicyException or InvalidDataException or IOException or UnauthorizedAccessException or ClusterException)
        {
            // Said once the registry is known to serve the image (a missing image is reported as missing).
            (policy, problem) = (null, TerminalText.Escape(e.Message));
        }

        var reader = new ImageEvidenceReader(new HttpManifestSource(http, registryUrl), signatures);
        ImageEvidence? evidence;
        try
        {
            evidence = await reader.ReadAsync(reference, cancellationToken);
        }
        catch (ImageJudgeException e)
        {
            throw new ImageJudgeException(TerminalText.Escape(e.Message), e.Manifest, e);
        }

        if (evidence is null)
        {
            return ImageVerdict.Missing(reference);
        }

        if (policy is null)
        {
            return new ImageVerdict(evidence.Manifest.Digest, false, [problem!]);
        }

        // Reasons quote signed payloads; the preflight lists them one per line.
        var verdict = await new ImageJudge(reader, policy).EvaluateAsync(reference, evidence, cancellationToken);
        return verdict with { Reasons = verdict.Reasons.Select(TerminalText.Escape).ToList() };
    }

    public async Task<string?> SignerProblemOrNullAsync(Reference reference, string signerFingerprint, CancellationToken cancellationToken) =>
        await (await LoadPolicyAsync(cancellationToken)).SignerProblemOrNullAsync(reference, signerFingerprint, cancellationToken);

    // policy.json names node paths (/etc/u7s/keys/x.pgp); a staging tree holds them under its root.
    private async Task<PolicyEvaluator> LoadPolicyAsync(CancellationToken cancellationToken)
    {
        var policy = (await PolicyEvaluator.LoadAsync(policyFile ?? root.Resolve(NodePaths.Policy), _openPgp, time, cancellationToken)).Policy;
        return new PolicyEvaluator(StagedPolicy.InTree(policy, root), _openPgp, time);
    }

    private List<string> ReadRegistriesD()
    {
        var directory = root.Resolve(RegistriesDirectory);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList()
            : [];
    }

    /// <summary>No lookaside configured for the registry: a node finds no signature at all.</summary>
    private sealed class NoLookaside : ISignatureSource
    {
        public string Location(RepositoryName repository, Digest digest) => "(no lookaside configured in registries.d)/";

        public async IAsyncEnumerable<SignatureBlob> ListAsync(RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
