using U7s.Oci.Policy;

namespace U7s.Oci.Tests.Policy;

public sealed class SignedIdentityTests
{
    private const string D = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    [Theory]
    // matchRepoDigestOrExact (default)
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v1", "r.local/ns/app:v1", true)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v2", "r.local/ns/app:v1", false)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app@" + D, "r.local/ns/app:v1", true)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app@" + D, "r.local/ns/other:v1", false)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v1", "r.local/ns/app", false)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v1", "r.local:80/ns/app:v1", false)]
    [InlineData("matchRepoDigestOrExact", null, null, "docker.io/library/busybox:1", "busybox:1", true)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v1", "not a reference", false)]
    // A claim with tag and digest: a tag pull compares whole strings, so "v2 is this digest" never
    // stands for the tag; a digest pull compares repositories only (the digest is checked elsewhere).
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v2", "r.local/ns/app:v2@" + D, false)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app@" + D, "r.local/ns/app:v2@" + D, true)]
    [InlineData("matchRepoDigestOrExact", null, null, "r.local/ns/app:v2@" + D, "r.local/ns/app:v2@" + D, true)]
    [InlineData("matchExact", null, null, "r.local/ns/app:v2", "r.local/ns/app:v2@" + D, false)]
    // matchExact
    [InlineData("matchExact", null, null, "r.local/ns/app:v1", "r.local/ns/app:v1", true)]
    [InlineData("matchExact", null, null, "r.local/ns/app@" + D, "r.local/ns/app:v1", false)]
    // matchRepository
    [InlineData("matchRepository", null, null, "r.local/ns/app:v1", "r.local/ns/app:v9", true)]
    [InlineData("matchRepository", null, null, "r.local/ns/app:v1", "r.local/ns/app2:v1", false)]
    // exactReference / exactRepository
    [InlineData("exactReference", "r.local/ns/elsewhere:v1", null, "mirror.local/ns/app:v1", "r.local/ns/elsewhere:v1", true)]
    [InlineData("exactReference", "r.local/ns/elsewhere:v1", null, "mirror.local/ns/app:v1", "r.local/ns/elsewhere:v2", false)]
    [InlineData("exactRepository", "r.local/ns/elsewhere", null, "mirror.local/ns/app:v1", "r.local/ns/elsewhere:v7", true)]
    [InlineData("exactRepository", "r.local/ns/elsewhere", null, "mirror.local/ns/app:v1", "r.local/ns/other:v7", false)]
    // remapIdentity
    [InlineData("remapIdentity", "mirror.local/ns", "registry.local/k8s", "mirror.local/ns/app:v1", "registry.local/k8s/app:v1", true)]
    [InlineData("remapIdentity", "mirror.local/ns", "registry.local/k8s", "mirror.local/ns/app:v1", "mirror.local/ns/app:v1", false)]
    [InlineData("remapIdentity", "mirror.local/n", "registry.local/k8s", "mirror.local/ns/app:v1", "mirror.local/ns/app:v1", true)]
    [InlineData("remapIdentity", "mirror.local/ns", "registry.local/k8s", "mirror.local/ns/app@" + D, "registry.local/k8s/app:v3", true)]
    public void Matches_FollowsContainersImage(string type, string? value, string? signedPrefix, string intended, string signedReference, bool expected)
    {
        var identity = new SignedIdentity(Enum.Parse<SignedIdentityType>(type, ignoreCase: true), value, signedPrefix);
        Assert.True(DockerReference.TryParse(intended, out var intendedRef));

        Assert.Equal(expected, identity.Matches(intendedRef, signedReference));
    }
}
