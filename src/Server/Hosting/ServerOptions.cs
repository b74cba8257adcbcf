namespace U7s.Server.Hosting;

/// <summary>
/// The <c>Server</c> section: what governs the whole process, both ports alike. Validated with the registry's options,
/// into which <see cref="ServeConfiguration"/> resolves it (<see cref="U7s.Registry.RegistryOptions.ProxyProtocol"/>,
/// <see cref="U7s.Registry.RegistryOptions.TrustedProxies"/>); <c>Registry:ProxyProtocol</c> and
/// <c>Registry:TrustedProxies</c> are their old names, still taken with a warning.
/// </summary>
internal sealed class ServerOptions
{
    public const string SectionName = "Server";

    /// <summary>
    /// Both ports expect a PROXY protocol header (v1 or v2) on every connection, from <see cref="TrustedProxies"/>
    /// only, and take the client address from it.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>The addresses or CIDR networks of the proxies (<c>10.0.0.10</c>, <c>10.0.0.0/29</c>).</summary>
    public List<string> TrustedProxies { get; set; } = [];
}
