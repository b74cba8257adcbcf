namespace U7s.Oci.Policy;

/// <summary>
/// How the identity claimed by a signature must relate to the pulled reference, with the
/// semantics of containers/image 5.23 <c>policy_reference_match.go</c>. <see cref="Value"/> is the
/// <c>dockerReference</c> / <c>dockerRepository</c> / <c>prefix</c>; <see cref="SignedPrefix"/> only
/// for <see cref="SignedIdentityType.RemapIdentity"/>.
/// </summary>
public sealed record SignedIdentity(SignedIdentityType Type, string? Value = null, string? SignedPrefix = null)
{
    public static SignedIdentity Default { get; } = new(SignedIdentityType.MatchRepoDigestOrExact);

    /// <summary>True when a signature claiming <paramref name="signedReference"/> may stand for the image pulled as <paramref name="intended"/>.</summary>
    public bool Matches(DockerReference intended, string signedReference)
    {
        ArgumentNullException.ThrowIfNull(intended);
        if (!DockerReference.TryParse(signedReference, out var signature))
        {
            return false;
        }

        switch (Type)
        {
            case SignedIdentityType.MatchExact:
                return !intended.IsNameOnly && !signature.IsNameOnly && signature.ToString() == intended.ToString();
            case SignedIdentityType.MatchRepoDigestOrExact:
                return MatchRepoDigestOrExact(intended, signature);
            case SignedIdentityType.MatchRepository:
                return signature.Name == intended.Name;
            case SignedIdentityType.ExactReference:
                return DockerReference.TryParse(Value, out var exact) && !exact.IsNameOnly && !signature.IsNameOnly && signature.ToString() == exact.ToString();
            case SignedIdentityType.ExactRepository:
                return DockerReference.TryParse(Value, out var repository) && signature.Name == repository.Name;
            case SignedIdentityType.RemapIdentity:
                var remapped = intended;
                var text = intended.ToString();
                if (PolicyScopes.MatchesPrefix(text, Value!) && DockerReference.TryParse(SignedPrefix + text[Value!.Length..], out var r))
                {
                    remapped = r;
                }

                return MatchRepoDigestOrExact(remapped, signature);
            default:
                return false;
        }
    }

    private static bool MatchRepoDigestOrExact(DockerReference intended, DockerReference signature)
    {
        if (signature.IsNameOnly)
        {
            return false;
        }

        if (intended.Tag is not null)
        {
            return signature.ToString() == intended.ToString();
        }

        // A pull by digest: the digest itself is checked against the signature elsewhere.
        return intended.Digest is not null && signature.Name == intended.Name;
    }
}
