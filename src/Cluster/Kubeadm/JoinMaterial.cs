using System.Text.Json.Serialization;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// What a node needs to join, with expiry (SPEC §5.3), kept in a root-only file
/// (<see cref="JoinMaterialStore"/>). Null expiry: never expires (token ttl 0).
/// </summary>
public sealed record JoinMaterial(
    [property: JsonPropertyName("apiServerEndpoint")] string ApiServerEndpoint,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("tokenExpires")] DateTimeOffset? TokenExpires,
    [property: JsonPropertyName("caCertHash")] string CaCertHash,
    [property: JsonPropertyName("certificateKey")] string? CertificateKey,
    [property: JsonPropertyName("certificateKeyExpires")] DateTimeOffset? CertificateKeyExpires)
{
    /// <summary>Never print the record itself: it holds the certificate key.</summary>
    public override string ToString() => $"join data for {ApiServerEndpoint}";
}
