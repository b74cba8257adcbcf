using U7s.Registry.Tests.Storage;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.Registry.Tests.Gc;

/// <summary>
/// The same facts on the real S3 server, the collection on its own replica. Every S3 request is a round trip, so
/// the race runs longer, its clock slower, and fewer pushes fit in.
/// </summary>
[RequiresS3]
public sealed class S3OnlineGcTests(ITestOutputHelper output) : OnlineGcContract(output)
{
    protected override TimeSpan RaceTime => TimeSpan.FromSeconds(15);

    protected override TimeSpan GraceEvery => TimeSpan.FromSeconds(2);

    protected override int MinimumAcknowledged => 20;

    protected override TimeSpan CollectionInterval => TimeSpan.FromSeconds(1);

    protected override int OldImages => 12;

    protected override async Task<TestStorage> CreateStorageAsync(string dataRoot) => await S3TestStorage.CreateAsync();
}
