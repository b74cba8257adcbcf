using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Security.Login;

/// <summary>
/// Counts failed logins in a sliding window, two ways:
/// <list type="bullet">
/// <item>per (user, client address): past <c>maxFailures</c> that pair is refused unchecked until its
/// failures age out; a correct login clears it. Keyed by the pair, not by the user alone (anyone could then
/// lock out the admin from anywhere) nor by the address alone (one client's typos would lock out every
/// user behind the same NAT or proxy).</item>
/// <item>per client address, whatever the user: past <c>maxFailuresPerAddress</c> the address gets no
/// more password checks (bcrypt costs tens of milliseconds of CPU by design) until its failures age out,
/// so a client trying a new user name each time is held to that budget too. Only that address pays:
/// others log in as before. A login already known correct (verified a moment ago) costs no check and
/// still passes there.</item>
/// </list>
/// An IPv6 client counts by its /64, the block one host usually holds. Both tables are bounded
/// (<see cref="FailureWindow{TKey}.MaxKeys"/> keys each, at most a limit's worth of times per key), and
/// long user names are kept as their hash, so invented names cost no memory beyond that.
/// </summary>
public sealed class LoginThrottle(int maxFailures, int maxFailuresPerAddress, TimeSpan window, TimeProvider time)
{
    /// <summary>User names longer than this are tracked by their SHA-256.</summary>
    private const int MaxUserKeyLength = 64;

    private readonly FailureWindow<(string User, IPAddress Address)> _pairs = new(window, time);
    private readonly FailureWindow<IPAddress> _addresses = new(window, time);

    /// <summary>True when (<paramref name="user"/>, <paramref name="address"/>) failed too often: refuse it unchecked.</summary>
    public bool IsBlocked(string user, IPAddress? address) => _pairs.FailuresOf(Key(user, address)) >= maxFailures;

    /// <summary>True when <paramref name="address"/> failed too often, for any users: check no password from it.</summary>
    public bool IsAddressSpent(IPAddress? address) => _addresses.FailuresOf(Block(address)) >= maxFailuresPerAddress;

    public void Failed(string user, IPAddress? address)
    {
        _pairs.Add(Key(user, address));
        _addresses.Add(Block(address));
    }

    /// <summary>
    /// An attempt refused unchecked because its address is spent: it counts against its pair only (the
    /// address is past its budget already, and counting it there would let its list grow with every request).
    /// </summary>
    public void Refused(string user, IPAddress? address) => _pairs.Add(Key(user, address));

    /// <summary>Clears the pair; the address keeps its count (a correct login does not buy an attacker more guesses).</summary>
    public void Succeeded(string user, IPAddress? address) => _pairs.Remove(Key(user, address));

    /// <summary>Pairs tracked now (for tests of the memory bound).</summary>
    internal int TrackedPairs => _pairs.Count;

    /// <summary>Addresses tracked now (for tests of the memory bound).</summary>
    internal int TrackedAddresses => _addresses.Count;

    private static (string, IPAddress) Key(string user, IPAddress? address) =>
        (user.Length <= MaxUserKeyLength ? user : "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user))), Block(address));

    /// <summary>The address a client counts under: IPv4 as is (mapped ones too), IPv6 by its /64.</summary>
    private static IPAddress Block(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.None;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes);
        }

        return address;
    }
}
