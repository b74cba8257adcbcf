using U7s.Loader.Preflight;
using U7s.Testing;

namespace U7s.Loader.Tests.Preflight;

public sealed class GroupCheckTests : IDisposable
{
    private readonly TempDirectory _root = new("u7s-groups");

    public GroupCheckTests()
    {
        Directory.CreateDirectory(_root.Combine("etc"));
        File.WriteAllText(_root.Combine("etc", "passwd"), """
            root:x:0:0:root:/root:/bin/bash
            imagemaker:x:1001:1001::/home/imagemaker:/bin/bash
            devlead:x:1002:1500::/home/devlead:/bin/bash
            viewer:x:1003:1003::/home/viewer:/bin/bash
            """);
        File.WriteAllText(_root.Combine("etc", "group"), """
            root:x:0:
            podman:x:1400:imagemaker,viewer
            podman_dev:x:1500:imagemaker
            """);
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("imagemaker", true)]  // supplementary member
    [InlineData("devlead", true)]     // primary group
    [InlineData("viewer", false)]     // podman only
    [InlineData("nobody", false)]
    public void IsMember_PodmanDev(string user, bool expected) =>
        Assert.Equal(expected, GroupCheck.IsMember(user, GroupCheck.DefaultGroup, _root.Path));

    [Fact]
    public void IsMember_GroupMissing_False() => Assert.False(GroupCheck.IsMember("imagemaker", "builders", _root.Path));
}
