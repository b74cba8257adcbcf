using U7s.Cluster.Files;

namespace U7s.Cluster.Users;

/// <summary>
/// Which key to provision: the account <paramref name="User"/> (its home is
/// <paramref name="HomeDirectory"/>, a node path), selected by exact <paramref name="Email"/>,
/// published under <paramref name="Root"/>.
/// </summary>
public sealed record SignerKeyRequest(string User, string Email, string HomeDirectory, NodeRoot Root);
