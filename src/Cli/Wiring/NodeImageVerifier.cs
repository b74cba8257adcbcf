using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using RegistriesD = U7s.Cluster.Node.RegistriesD;

namespace U7s.Cli.Wiring;

/// <summary>
/// The kubeadm preflight's image check done as a node's pull does it (SPEC §2.4, §3.2-3.3): the
/// manifest as the registry serves it (its sha256 is the signed digest), the signatures from the
/// lookaside the node's <c>/etc/containers/registries.d</c> names, and the node's policy.json
/// through <see cref="PolicyEvaluator"/>. Under a staging root, absolute key paths in the policy are
/// read inside that root, as the node would read them. <paramref name="registryUrl"/> and
/// <paramref name="lookasideUrl"/> replace <c>http://&lt;registry host&gt;/</c> and the
/// registries.d lookaside (e.g. to reach <c>registry.local</c> through 127.0.0.1).
/// </summary>
internal sealed class NodeImageVerifier(HttpClient http, NodeRoot root, TimeProvider time, Uri? registryUrl = null, Uri? lookasideUrl = null) : IImageVerifier
{
    private const string RegistriesDirectory = "/etc/containers/registries.d";

    private readonly BouncyCastleOpenPgp _openPgp = new();

    public async Task<ImageVerification> VerifyAsync(string reference, string policyPath, CancellationToken cancellationToken)
    {
        if (!Reference.TryParse(reference, out var parsed) || parsed.Host is null)
        {
            return new ImageVerification(false, false, $"not a registry image reference: {reference}");
        }

        FetchedManifest? manifest;
        try
        {
            manifest = await new HttpManifestSource(http, registryUrl).GetManifestOrNullAsync(parsed, cancellationToken);
        }
        catch (ManifestSourceException e)
        {
            // The preflight reports an unreachable or failing registry for the image, not as "missing".
            throw new HttpRequestException(e.Message, e);
        }

        if (manifest is null)
        {
            return new ImageVerification(false, false);
        }

        PolicyEvaluator evaluator;
        Uri? lookaside;
        try
        {
            evaluator = new PolicyEvaluator(InsideRoot((await PolicyEvaluator.LoadAsync(policyPath, _openPgp, time, cancellationToken)).Policy), _openPgp, time);
            lookaside = lookasideUrl ?? RegistriesD.LookasideFor(ReadRegistriesD(), reference);
        }
        catch (Exception e) when (e is PolicyException or InvalidDataException or IOException or UnauthorizedAccessException or ClusterException)
        {
            return new ImageVerification(true, false, TerminalText.Escape(e.Message));
        }

        var signatures = new List<byte[]>();
        if (lookaside is not null)
        {
            try
            {
                await foreach (var signature in new LookasideClient(http).ListAsync(lookaside, LookasidePath.RepositoryOf(parsed), manifest.Digest, cancellationToken))
                {
                    signatures.Add(signature.Content);
                }
            }
            catch (SignatureStoreException e)
            {
                return new ImageVerification(true, false, TerminalText.Escape(e.Message));
            }
        }

        var verdict = await evaluator.EvaluateAsync(parsed, manifest.Digest, signatures, cancellationToken);
        return verdict.IsAllowed
            ? ImageVerification.Ok
            // Reasons quote signed payloads; the preflight lists them one per line.
            : new ImageVerification(true, false, $"{manifest.Digest}: {TerminalText.Escape(string.Join("; ", verdict.Reasons))}");
    }

    private List<string> ReadRegistriesD()
    {
        var directory = root.Resolve(RegistriesDirectory);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList()
            : [];
    }

    // policy.json names node paths (/var/sigstore/keys/x.pgp); a staging tree holds them under its root.
    // Paths already inside the root (create-imagemakeruser --in-place) are kept.
    private PolicyDocument InsideRoot(PolicyDocument policy)
    {
        if (root.IsHost)
        {
            return policy;
        }

        string Map(string path) => path.StartsWith(root.Path + "/", StringComparison.Ordinal) || !path.StartsWith('/') ? path : root.Resolve(path);
        IReadOnlyList<PolicyRequirement> MapAll(IReadOnlyList<PolicyRequirement> requirements) =>
            requirements.Select(r => r.KeyPaths is null ? r : r with { KeyPaths = r.KeyPaths.Select(Map).ToList() }).ToList();
        var transports = policy.Transports.ToDictionary(
            t => t.Key,
            t => (IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>)t.Value.ToDictionary(
                s => s.Key,
                s => MapAll(s.Value),
                StringComparer.Ordinal),
            StringComparer.Ordinal);
        return policy with { Default = MapAll(policy.Default), Transports = transports };
    }
}
