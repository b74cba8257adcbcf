namespace U7s.Cluster;

/// <summary>Why a node operation stopped; the CLI maps each kind to one exit code.</summary>
public enum ClusterErrorKind
{
    /// <summary>An external program or the file system failed.</summary>
    Failure,

    /// <summary>Bad arguments (malformed address, user name, token).</summary>
    Usage,

    /// <summary>Existing input is invalid (a policy file that does not parse, a bad listing).</summary>
    InvalidInput,

    /// <summary>A check refused to go on (preflight problems, conflicting hosts entry, expired join data).</summary>
    Refused,

    /// <summary>The signature store could not be reached.</summary>
    Unavailable,
}
