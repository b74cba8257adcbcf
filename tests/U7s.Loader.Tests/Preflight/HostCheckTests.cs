using U7s.Loader.Preflight;

namespace U7s.Loader.Tests.Preflight;

public sealed class HostCheckTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task ProblemOrNull_LocalName_Null(string host) =>
        Assert.Null(await HostCheck.ProblemOrNullAsync(host, CancellationToken.None));

    [Fact]
    public async Task ProblemOrNull_AddressOfAnotherHost_SaysSo()
    {
        var problem = await HostCheck.ProblemOrNullAsync("192.0.2.1", CancellationToken.None);
        Assert.Equal("192.0.2.1 resolves to 192.0.2.1, which is not an address of this host", problem);
    }

    [Fact]
    public async Task ProblemOrNull_UnresolvableName_SaysSo()
    {
        var problem = await HostCheck.ProblemOrNullAsync("no-such-host.invalid", CancellationToken.None);
        Assert.StartsWith("no-such-host.invalid does not resolve", problem, StringComparison.Ordinal);
    }
}
