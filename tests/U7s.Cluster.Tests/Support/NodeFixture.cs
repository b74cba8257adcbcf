using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Testing;

namespace U7s.Cluster.Tests.Support;

/// <summary>A temp root with the node services wired over it and a recording process runner.</summary>
internal sealed class NodeFixture : IDisposable
{
    public NodeFixture()
    {
        Directory.CreateDirectory(Temp.Combine("etc"));
        File.WriteAllText(Temp.Combine("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        File.WriteAllText(Temp.Combine("etc/group"), "root:x:0:\n");
        Root = new NodeRoot(Temp.Path);
        Writer = new NodeFileWriter(Root, Time, Runner);
        Accounts = new SystemAccounts(Root, Runner);
    }

    public TempDirectory Temp { get; } = new("u7s-node");

    public FixedTimeProvider Time { get; } = new(new DateTimeOffset(2024, 5, 23, 5, 40, 7, TimeSpan.Zero));

    public RecordingProcessRunner Runner { get; } = new();

    public NodeRoot Root { get; }

    public NodeFileWriter Writer { get; }

    public SystemAccounts Accounts { get; }

    public ClusterOptions Options { get; } = new();

    public PgpKeyInspector Inspector { get; } = new();

    public string Path(string nodePath) => Temp.Combine(nodePath.TrimStart('/'));

    public string Read(string nodePath) => File.ReadAllText(Path(nodePath));

    public UnixFileMode Mode(string nodePath) => FileModes.Get(Path(nodePath));

    public string? LinkTarget(string nodePath) => new FileInfo(Path(nodePath)).LinkTarget;

    /// <summary>Every path under the root with its size and mtime: equal snapshots mean nothing was touched.</summary>
    public string[] Snapshot() => Temp.Snapshot();

    public void Dispose() => Temp.Dispose();
}
