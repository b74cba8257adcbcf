namespace U7s.Cluster.Node;

/// <summary>One OpenPGP public key of a keyring: its primary fingerprint (40 hex, upper case) and first user id.</summary>
public sealed record KeyIdentity(string Fingerprint, string UserId)
{
    public override string ToString() => UserId.Length == 0 ? Fingerprint : $"{Fingerprint} ({UserId})";
}
