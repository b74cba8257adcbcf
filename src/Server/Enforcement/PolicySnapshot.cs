using U7s.Oci.Policy;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;

namespace U7s.Server.Enforcement;

/// <summary>
/// One loaded state of the enforcement policy: the evaluator, every key the registry knows (the
/// policy's and those published in the tree's <c>keys/</c>) to name the signer of any signature,
/// and the <see cref="Stamp"/> of the files it was read from, to tell when it is out of date.
/// </summary>
/// <param name="KnownKeys">All known keys, to read a signature's signer and claims whether or not the policy trusts it; null when none is readable.</param>
/// <param name="UserIds">Fingerprint (primary or signing subkey) → the key's first user id.</param>
/// <param name="TrustedKeys">The policy's keys and the authorization document's, with the scopes the policy trusts each for (the status page summary).</param>
internal sealed record PolicySnapshot(PolicyEvaluator Evaluator, TrustedKeyring? KnownKeys, IReadOnlyDictionary<string, string> UserIds, string Stamp, IReadOnlyList<U7s.Registry.Status.TrustedKeyStatus>? TrustedKeys = null);
