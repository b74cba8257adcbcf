namespace U7s.Oci.Policy;

/// <summary>The <c>signedIdentity</c> matchers of containers-policy.json(5).</summary>
public enum SignedIdentityType
{
    MatchRepoDigestOrExact,
    MatchExact,
    MatchRepository,
    ExactReference,
    ExactRepository,
    RemapIdentity,
}
