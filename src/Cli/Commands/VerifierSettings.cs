using U7s.Sigstore.Manifests;

namespace U7s.Cli.Commands;

/// <summary>
/// What the verification pass reads: the node policy file, the signature store tree and the
/// manifests as the registry serves them (over HTTP, or from the local store with <c>--data</c>). With
/// <paramref name="StagedRoot"/> (<c>load-sign-oci --root</c>) the policy's key paths are node paths read inside that tree.
/// </summary>
internal sealed record VerifierSettings(Uri Registry, string PolicyPath, string SigstoreRoot, IManifestSource Manifests, U7s.Cluster.Files.NodeRoot? StagedRoot = null);
