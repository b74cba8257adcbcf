using System.Net;
using U7s.Security.Login;

namespace U7s.Security.Tests.Login;

public sealed class LoginThrottleTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");
    private readonly ManualTime _time = new();

    [Fact]
    public void Failures_BlockOnlyTheirOwnUserAndAddressPair()
    {
        var throttle = new LoginThrottle(3, 100, TimeSpan.FromMinutes(1), _time);
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
        var throttle = new LoginThrottle(2, 100, TimeSpan.FromMinutes(1), _time);
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
        var throttle = new LoginThrottle(2, 100, TimeSpan.FromMinutes(1), _time);
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
        var throttle = new LoginThrottle(10, 100, TimeSpan.FromMinutes(1), _time);
        for (var i = 0; i < 9_999; i++)
        {
            throttle.Failed("user" + i, A);
        }

        Assert.Equal(9_999, throttle.TrackedPairs);
        _time.Advance(TimeSpan.FromMinutes(2));
        throttle.Failed("late", A);
        throttle.Failed("later", A);

        Assert.Equal(2, throttle.TrackedPairs);
        Assert.Equal(1, throttle.TrackedAddresses);
    }

    /// <summary>
    /// Invented user names from invented addresses, all within the window: neither table grows past its
    /// bound, however many; the oldest go first, so the newest failures still count.
    /// </summary>
    [Fact]
    public void InventedNamesAndAddresses_WithinTheWindow_TablesStayBounded()
    {
        var throttle = new LoginThrottle(2, 2, TimeSpan.FromHours(1), _time);
        for (var i = 0; i < 25_000; i++)
        {
            var address = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            throttle.Failed(new string('u', 1000) + i, address);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(throttle.TrackedPairs, 1, 10_000);
        Assert.InRange(throttle.TrackedAddresses, 1, 10_000);

        var last = new IPAddress([10, 0, 0x61, 0xA7]);
        throttle.Failed("x", last);
        Assert.True(throttle.IsAddressSpent(last));
    }

    /// <summary>
    /// A client trying a new user name each time is stopped by the per-address budget: past it no
    /// password from that address is checked (bcrypt is what costs), from anywhere else logins go on, and
    /// a login already known correct there still passes, unchecked. Per-pair rules stay as they were.
    /// </summary>
    [Fact]
    public async Task Gate_AddressPastItsBudget_GetsNoChecks_ElsewhereAndRememberedLoginsStillPass()
    {
        var users = new CountingUsers { Remembered = { ("alice", "right") } };
        var gate = new LoginGate(users, new LoginThrottle(3, 5, TimeSpan.FromMinutes(1), _time));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(LoginResult.Invalid, await gate.CheckAsync("nobody" + i, "guess", A, default));
        }

        var checks = users.Checks;
        Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("nobody5", "guess", A, default));
        Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("admin", "right", A, default));
        Assert.Equal(checks, users.Checks);

        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("alice", "right", A, default));
        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("admin", "right", B, default));
        Assert.Equal(LoginResult.Invalid, await gate.CheckAsync("nobody6", "guess", B, default));

        // Guesses at a spent address still count against their pair, so they cannot be tried for free
        // against logins the server remembers: after three, even the right password is refused there.
        users.Remembered.Add(("carol", "right"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("carol", "guess" + i, A, default));
        }

        Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("carol", "right", A, default));
        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("carol", "right", B, default));

        // A correct login does not refill the address's budget; the window does.
        Assert.Equal(LoginResult.Throttled, await gate.CheckAsync("admin", "right", A, default));
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(LoginResult.Valid, await gate.CheckAsync("admin", "right", A, default));
    }

    [Fact]
    public async Task Gate_ThrottledPairIsNotChecked_OthersFailuresNeverRefuseACorrectLogin()
    {
        var users = new CountingUsers();
        var gate = new LoginGate(users, new LoginThrottle(3, 100, TimeSpan.FromMinutes(1), _time));
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

        /// <summary>Logins known correct without a check, as the htpasswd cache knows a login from a moment ago.</summary>
        public HashSet<(string User, string Password)> Remembered { get; } = [];

        public bool HasUsers => true;

        public bool IsRemembered(string user, string password) => Remembered.Contains((user, password));

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
