using System.Net;
using U7s.Oci.Auth;

namespace U7s.Oci.Tests.Auth;

public sealed class LoginThrottleTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");
    private readonly ManualTime _time = new();

    [Fact]
    public void Failures_BlockOnlyTheirOwnUserAndAddressPair()
    {
        var throttle = new LoginThrottle(3, TimeSpan.FromMinutes(1), _time);
        for (var i = 0; i < 3; i++)
        {
            Assert.False(throttle.IsBlocked("admin", A));
            throttle.Failed("admin", A);
        }

        Assert.True(throttle.IsBlocked("admin", A));
        Assert.False(throttle.IsBlocked("admin", B));
        Assert.False(throttle.IsBlocked("alice", A));
    }

    [Fact]
    public void Failures_AgeOutOfTheWindow_AndASuccessClearsThePair()
    {
        var throttle = new LoginThrottle(2, TimeSpan.FromMinutes(1), _time);
        throttle.Failed("alice", A);
        throttle.Failed("alice", A);
        Assert.True(throttle.IsBlocked("alice", A));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(throttle.IsBlocked("alice", A));

        throttle.Failed("alice", A);
        throttle.Succeeded("alice", A);
        throttle.Failed("alice", A);
        Assert.False(throttle.IsBlocked("alice", A));
    }

    [Fact]
    public void Ipv6_CountsPerSlash64_AndMappedIpv4AsIpv4()
    {
        var throttle = new LoginThrottle(2, TimeSpan.FromMinutes(1), _time);
        throttle.Failed("alice", IPAddress.Parse("2001:db8:1:2::1"));
        throttle.Failed("alice", IPAddress.Parse("2001:db8:1:2:ffff::9"));
        throttle.Failed("bob", IPAddress.Parse("::ffff:192.0.2.1"));
        throttle.Failed("bob", A);

        Assert.True(throttle.IsBlocked("alice", IPAddress.Parse("2001:db8:1:2::77")));
        Assert.False(throttle.IsBlocked("alice", IPAddress.Parse("2001:db8:1:3::1")));
        Assert.True(throttle.IsBlocked("bob", A));
    }

    [Fact]
    public void ManyPairs_AgedOutOnes_AreDropped()
    {
        var throttle = new LoginThrottle(10, TimeSpan.FromMinutes(1), _time);
        for (var i = 0; i < 10_001; i++)
        {
            throttle.Failed("user" + i, A);
        }

        Assert.Equal(10_001, throttle.TrackedPairs);
        _time.Advance(TimeSpan.FromMinutes(2));
        throttle.Failed("late", A);

        Assert.Equal(1, throttle.TrackedPairs);
    }

    [Fact]
    public async Task Gate_ThrottledPairIsNotChecked_OthersFailuresNeverRefuseACorrectLogin()
    {
        var users = new CountingUsers();
        var gate = new LoginGate(users, new LoginThrottle(3, TimeSpan.FromMinutes(1), _time));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LoginResult.Invalid, await gate.CheckAsync("admin", "guess" + i, A, default));
        }

        var checks = users.Checks;
        Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("admin", "right", A, default));
        Assert.Equal(checks, users.Checks);

        // The attacker's failures for admin from A refuse neither admin from elsewhere nor alice from A.
        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("admin", "right", B, default));
        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("alice", "right", A, default));
    }

    private sealed class CountingUsers : ICredentialValidator
    {
        public int Checks { get; private set; }

        public bool HasUsers => true;

        public Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken)
        {
            Checks++;
            return Task.FromResult(password == "right");
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
