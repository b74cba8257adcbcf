namespace U7s.Bench;

/// <summary>
/// Runs one blob workload against one server and adds its rate and the CPU time it cost per GiB: the server's, the
/// benchmark client's and, on S3, the S3 server's (radosgw and its cluster). The rate is what the target rows judge;
/// the CPU rows say who the bottleneck was, and stay meaningful on a machine that other work keeps busy.
/// </summary>
internal static class BlobRows
{
    /// <summary>Adds "<paramref name="row"/> (MiB/s)" and the CPU rows of <paramref name="name"/>; returns the rate.</summary>
    public static async Task<double> MeasureAsync(Report report, string row, string name, ServerProcess server, IReadOnlyList<int> peer, Func<Task<Transfer>> workload)
    {
        var (serverBefore, clientBefore, peerBefore) = (server.CpuSeconds(), CpuTime.OfSelf(), CpuTime.SecondsOf(peer));
        var transfer = await workload();
        var gib = transfer.GiB;
        report.Add($"{row} (MiB/s)", name, transfer.MiBPerSecond);
        report.Add(ServerCpu(row), name, (server.CpuSeconds() - serverBefore) * 1000 / gib);
        report.Add(ClientCpu(row), name, (CpuTime.OfSelf() - clientBefore) * 1000 / gib);
        if (peer.Count > 0)
        {
            report.Add(PeerCpu(row), name, (CpuTime.SecondsOf(peer) - peerBefore) * 1000 / gib);
        }

        return transfer.MiBPerSecond;
    }

    /// <summary>Declares the CPU rows of <paramref name="row"/> against <paramref name="peer"/> (informative: lower is better, no target).</summary>
    public static void Declare(Report report, string row, string peer, string? subject = null)
    {
        report.Compare(ServerCpu(row), "ms/GiB", peer, 0, false, string.Empty, subject);
        report.Compare(ClientCpu(row), "ms/GiB", peer, 0, false, string.Empty, subject);
        report.Compare(PeerCpu(row), "ms/GiB", peer, 0, false, string.Empty, subject);
    }

    private static string ServerCpu(string row) => $"{row}: server CPU";

    private static string ClientCpu(string row) => $"{row}: client CPU";

    private static string PeerCpu(string row) => $"{row}: S3 server CPU";
}
