using System.Net;
using U7s.Oci;
using U7s.Security.Proxies;

namespace U7s.Security.Tests.Proxies;

public class IPNetworkListTests
{
    [Theory]
    [InlineData("10.0.0.10", true)]
    [InlineData("10.0.0.0/24", true)]
    [InlineData("127.0.0.1/32", true)]
    [InlineData("2001:db8::/64", true)]
    [InlineData("::1", true)]
    [InlineData(" 10.0.0.10 ", true)]
    [InlineData("10.0.0.5/24", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.1", false)]
    [InlineData("167772161", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("haproxy.local", false)]
    [InlineData("", false)]
    public void TryParse_AddressOrCidr(string entry, bool valid)
    {
        Assert.Equal(valid, IPNetworkList.TryParse([entry], out var list, out var invalid));
        Assert.Equal(valid ? null : entry, invalid);
        Assert.Equal(valid ? 1 : 0, list.Count);
    }

    [Theory]
    [InlineData("10.0.0.10", true)]
    [InlineData("10.0.0.11", false)]
    [InlineData("192.168.7.200", true)]
    [InlineData("192.168.8.1", false)]
    [InlineData("::ffff:10.0.0.10", true)]
    [InlineData("::ffff:10.0.0.11", false)]
    [InlineData("2001:db8::42", true)]
    [InlineData("2001:db9::42", false)]
    [InlineData("127.0.0.1", false)]
    public void Contains_OnlyTheListedNetworks(string address, bool trusted)
    {
        Assert.True(IPNetworkList.TryParse(["10.0.0.10", "192.168.7.0/24", "2001:db8::/64"], out var list, out _));
        Assert.Equal(trusted, list.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Empty_ContainsNothing() => Assert.False(IPNetworkList.Empty.Contains(IPAddress.Loopback));
}
