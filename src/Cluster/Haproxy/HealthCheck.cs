namespace U7s.Cluster.Haproxy;

/// <summary>How haproxy probes the API servers (SPEC §5.4).</summary>
public enum HealthCheck
{
    /// <summary>A real HTTPS <c>GET /healthz</c> expecting 200 (<c>check check-ssl verify none</c>).</summary>
    Https,

    /// <summary>
    /// The install guide's block verbatim: <c>option ssl-hello-chk</c> after <c>option httpchk</c>; the
    /// last check type wins, so only a TLS hello is probed and <c>/healthz</c> is never evaluated.
    /// </summary>
    TlsHello,
}
