namespace U7s.Cluster;

/// <summary>
/// A node operation refused or failed for a reason the administrator can fix; the CLI prints the
/// message as one line and maps <see cref="Kind"/> to an exit code.
/// </summary>
public sealed class ClusterException : Exception
{
    public ClusterException(string message, ClusterErrorKind kind)
        : base(message) => Kind = kind;

    public ClusterException()
        : this("node operation failed", ClusterErrorKind.Failure)
    {
    }

    public ClusterException(string message)
        : this(message, ClusterErrorKind.Failure)
    {
    }

    public ClusterException(string message, Exception innerException)
        : base(message, innerException) => Kind = ClusterErrorKind.Failure;

    public ClusterErrorKind Kind { get; }
}
