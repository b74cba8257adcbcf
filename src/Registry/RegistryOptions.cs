using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Auth;
using U7s.Security.Proxies;

namespace U7s.Registry;

/// <summary>Options of the registry on :80, bound from the <c>Registry</c> section and validated at start.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>The section that names <see cref="ProxyProtocol"/> and <see cref="TrustedProxies"/> in settings: they govern both ports.</summary>
    public const string ProxyProtocolSection = "Server";

    /// <summary>Listen address <c>host:port</c>; port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "0.0.0.0:80";

    /// <summary>Root of the embedded filesystem storage.</summary>
    public string DataRoot { get; set; } = "/var/lib/u7s";

    /// <summary>Largest manifest accepted, in bytes; the spec asks registries to take at least 4 MiB.</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>An upload idle for longer than this is abandoned: answered as unknown and removed.</summary>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest blob accepted in one upload, in bytes; null for no limit.</summary>
    public long? MaxUploadBytes { get; set; }

    /// <summary>
    /// Upload sessions one writer (a user; without login, an address) may hold open at once in this process;
    /// one more is answered 429 TOOMANYREQUESTS until the writer finishes or cancels some, or they expire.
    /// </summary>
    public int MaxOpenUploadsPerWriter { get; set; } = 1000;

    /// <summary>A client must send its request headers within this time.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the readiness check (<c>/readyz</c>, <c>/healthz</c>) waits for the store to answer its probe before it
    /// answers 503: a healthy store answers in milliseconds, one that stops answering takes the replica out of the
    /// load balancer this soon.
    /// </summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A request body slower than this many bytes per second (after a grace of 5 s) is cut off.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The audit log (JSON lines); relative paths are under <see cref="DataRoot"/>.</summary>
    public string AuditLog { get; set; } = "audit.log";

    /// <summary>PEM certificate (chain) for HTTPS on the registry port; plain HTTP when unset, as on podsec nodes.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>Who may read and write; see <see cref="AuthOptions"/>.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>
    /// Both ports expect a PROXY protocol header (v1 or v2, as haproxy's <c>send-proxy-v2</c> sends) on
    /// every connection and take the client address from it; a connection without one is closed. The
    /// config <c>u7s haproxy-config --registry</c> writes needs it. Proxied clients are never "this host".
    /// Only connections from <see cref="TrustedProxies"/> are taken; it must name at least one proxy.
    /// Process-wide: <c>u7s serve</c> sets it from <c>Server:ProxyProtocol</c> (this section's key is its old name).
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>
    /// With <see cref="ProxyProtocol"/>: the addresses or CIDR networks of the proxies (<c>10.0.0.10</c>,
    /// <c>10.0.0.0/29</c>). Both ports close a connection from any other address before reading a byte of it,
    /// so nobody who reaches a replica directly can name their own client address. Set from <c>Server:TrustedProxies</c>
    /// (this section's key is its old name).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// A cross-repository mount without <c>from</c> (<c>POST …/blobs/uploads/?mount=&lt;digest&gt;</c>) links the
    /// blob when a repository the writer may read holds it; off, such a mount always opens an upload session.
    /// </summary>
    public bool AutomaticCrossMount { get; set; } = true;

    /// <summary>Signature enforcement on manifest reads; see <see cref="EnforceOptions"/>.</summary>
    public EnforceOptions Enforce { get; set; } = new();

    /// <summary>Whether DELETE of manifests, tags and blobs is allowed (405 UNSUPPORTED otherwise).</summary>
    public bool DeleteEnabled { get; set; } = true;

    /// <summary>Returns every problem with these options, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (!ListenAddress.TryParse(Listen, out _))
        {
            yield return $"Registry:Listen '{Listen}' is not host:port (e.g. 0.0.0.0:80 or 127.0.0.1:5000)";
        }

        if (string.IsNullOrWhiteSpace(DataRoot) || !Path.IsPathFullyQualified(DataRoot))
        {
            yield return $"Registry:DataRoot '{DataRoot}' must be an absolute path";
        }

        if (MaxManifestBytes < 4 * 1024 * 1024)
        {
            yield return $"Registry:MaxManifestBytes {MaxManifestBytes} is below the 4 MiB the distribution spec requires";
        }

        foreach (var problem in TlsFiles.Problems(SectionName, TlsCertificate, TlsKey))
        {
            yield return problem;
        }

        if (Auth.Htpasswd is { } htpasswd && !File.Exists(htpasswd))
        {
            yield return $"Registry:Auth:Htpasswd '{htpasswd}' does not exist: create it (u7s create-imagemakeruser --htpasswd) or remove the setting; logins would be off";
        }

        // The file every push and signing right comes from: read by u7s serve's start-up check and its signers
        // source, validated here with the other settings so a relative path (which would depend on the working
        // directory of whoever starts the server) stops the start before anything else.
        if (string.IsNullOrWhiteSpace(Auth.Signers) || !Path.IsPathFullyQualified(Auth.Signers))
        {
            yield return $"Registry:Auth:Signers '{Auth.Signers}' must be an absolute path (the root-owned authorization file, default {U7s.Security.Signers.SignersDocument.DefaultPath})";
        }

        if (Auth.MaxFailedLogins < 1 || Auth.MaxFailedLoginsPerAddress < 1 || Auth.FailedLoginWindow <= TimeSpan.Zero)
        {
            yield return "Registry:Auth:MaxFailedLogins and Registry:Auth:MaxFailedLoginsPerAddress must be at least 1 and Registry:Auth:FailedLoginWindow positive";
        }

        if (MaxUploadBytes is <= 0)
        {
            yield return $"Registry:MaxUploadBytes {MaxUploadBytes} must be positive (or unset for no limit)";
        }

        if (MaxOpenUploadsPerWriter < 1)
        {
            yield return $"Registry:MaxOpenUploadsPerWriter {MaxOpenUploadsPerWriter} must be at least 1";
        }

        if (RequestHeadersTimeout <= TimeSpan.Zero)
        {
            yield return $"Registry:RequestHeadersTimeout {RequestHeadersTimeout} must be positive";
        }

        if (ReadinessTimeout < TimeSpan.FromMilliseconds(100) || ReadinessTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"Registry:ReadinessTimeout {ReadinessTimeout:c} must be between 00:00:00.1 and 00:01:00";
        }

        if (MinRequestBodyBytesPerSecond < 0)
        {
            yield return $"Registry:MinRequestBodyBytesPerSecond {MinRequestBodyBytesPerSecond} must not be negative";
        }

        if (UploadExpiry <= TimeSpan.Zero)
        {
            yield return $"Registry:UploadExpiry {UploadExpiry} must be positive";
        }

        if (!IPNetworkList.TryParse(TrustedProxies, out var proxies, out var invalid))
        {
            yield return $"{ProxyProtocolSection}:TrustedProxies '{invalid}' is not an address or a CIDR network (e.g. 10.0.0.10 or 10.0.0.0/29)";
        }
        else if (ProxyProtocol && proxies.Count == 0)
        {
            yield return $"{ProxyProtocolSection}:ProxyProtocol needs {ProxyProtocolSection}:TrustedProxies, the addresses of the proxies (e.g. 10.0.0.10): a PROXY header from anyone else would choose its own client address";
        }
        else if (!ProxyProtocol && proxies.Count > 0)
        {
            yield return $"{ProxyProtocolSection}:TrustedProxies is set but {ProxyProtocolSection}:ProxyProtocol is off: set both, or neither";
        }

        foreach (var problem in Enforce.Validate())
        {
            yield return problem;
        }
    }

    /// <summary>The parsed <see cref="TrustedProxies"/> (after <see cref="Validate"/> found no problem).</summary>
    public IPNetworkList TrustedProxyNetworks() =>
        IPNetworkList.TryParse(TrustedProxies, out var proxies, out var invalid) ? proxies : throw new InvalidOperationException($"{ProxyProtocolSection}:TrustedProxies '{invalid}' is not valid");

    /// <summary>The audit log's full path.</summary>
    public string AuditLogPath => Path.Combine(DataRoot, AuditLog);
}
