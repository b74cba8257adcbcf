using U7s.Oci;

namespace U7s.Oci.Tests;

public class ListenAddressTests
{
    [Theory]
    [InlineData("0.0.0.0:80", true)]
    [InlineData("127.0.0.1:0", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]:81", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:65536", false)]
    [InlineData("registry.local:80", false)]
    [InlineData(":80", false)]
    [InlineData("[::1:81", false)]
    [InlineData("", false)]
    public void TryParse_HostPort(string text, bool valid) => Assert.Equal(valid, ListenAddress.TryParse(text, out _));
}
