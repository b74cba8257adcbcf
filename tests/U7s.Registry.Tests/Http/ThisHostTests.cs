using System.Net;
using Microsoft.AspNetCore.Http;
using U7s.Registry.Http;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// Which connections count as this host's for anonymous pushes: what the kernel reports about the socket only.
/// A real connection from one of this host's own non-loopback addresses to itself, and one from another host, are
/// made in <c>TwoNodeTests</c> (two network namespaces); here every combination of the two addresses.
/// </summary>
public sealed class ThisHostTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.5", "127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.10", "10.0.0.10", true)]
    [InlineData("::ffff:10.0.0.10", "10.0.0.10", true)]
    [InlineData("::ffff:10.0.0.10", "::ffff:10.0.0.10", true)]
    [InlineData("10.0.0.11", "10.0.0.10", false)]
    [InlineData("10.0.0.10", "10.0.0.11", false)]
    [InlineData("::ffff:10.0.0.11", "::ffff:10.0.0.10", false)]
    [InlineData("fd00::2", "fd00::1", false)]
    public void IsClient_ByTheSocketsAddresses(string remote, string local, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Connection.LocalIpAddress = IPAddress.Parse(local);

        Assert.Equal(expected, ThisHost.IsClient(context.Connection));
    }

    [Fact]
    public void IsClient_NoAddress_NeverLocal()
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalIpAddress = IPAddress.Parse("10.0.0.10");

        Assert.False(ThisHost.IsClient(context.Connection));
    }

    [Fact]
    public void IsClient_ForwardedHeaderNamingLoopback_DoesNotCount()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.11");
        context.Connection.LocalIpAddress = IPAddress.Parse("10.0.0.10");
        context.Request.Headers["X-Forwarded-For"] = "127.0.0.1";
        context.Request.Headers["Forwarded"] = "for=10.0.0.10";

        Assert.False(ThisHost.IsClient(context.Connection));
    }
}
