using U7s.Security.Login;

namespace U7s.Security.Tests.Login;

/// <summary>
/// One bcrypt check per login whatever the name, so answer times do not list the users. The timing
/// itself is measured outside unit tests; here the seam shows the work done: which hash, which cost.
/// </summary>
public sealed class HtpasswdFileTests : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-htpasswd");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UnknownUser_CostsOneCheckAgainstADummyOfTheFilesCost()
    {
        var path = _dir.Combine("htpasswd");
        new HtpasswdFile(path).Set("alice", "alice-pw");
        var alice = File.ReadAllLines(path).Single()["alice:".Length..];
        var checks = new List<string>();
        var file = new HtpasswdFile(path, (hash, password) =>
        {
            checks.Add(hash);
            return hash == alice && password == "alice-pw";
        });

        Assert.False(file.Check("nobody", "x"));
        Assert.False(file.Check("alice", "wrong"));
        Assert.True(file.Check("alice", "alice-pw"));

        Assert.Equal(3, checks.Count);
        Assert.NotEqual(alice, checks[0]);
        Assert.Equal(alice[..7], checks[0][..7]);
        Assert.Equal(60, checks[0].Length);
        Assert.Equal([alice, alice], checks.Skip(1));
    }

    [Fact]
    public void UserWithoutABcryptHash_AndEmptyFile_StillCostOneCheckOfTheDefaultCost()
    {
        var path = _dir.Combine("plain");
        File.WriteAllText(path, "plain:secret\n");
        var checks = new List<string>();
        var file = new HtpasswdFile(path, (hash, _) =>
        {
            checks.Add(hash);
            return false;
        });

        Assert.False(file.Check("plain", "secret"));
        Assert.False(file.Check("ghost", "secret"));

        Assert.Equal(2, checks.Count);
        Assert.All(checks, h => Assert.StartsWith($"$2y${HtpasswdFile.DefaultCost}$", h, StringComparison.Ordinal));
    }

    [Fact]
    public void RealBcrypt_AcceptsOnlyTheRightPassword()
    {
        var path = _dir.Combine("real");
        new HtpasswdFile(path).Set("bob", "pw");

        Assert.True(new HtpasswdFile(path).Check("bob", "pw"));
        Assert.False(new HtpasswdFile(path).Check("bob", "pw2"));
        Assert.False(new HtpasswdFile(path).Check("bo", "pw"));
    }
}
