namespace U7s.Cluster.Services;

/// <summary>
/// The systemd unit that runs <c>u7s serve</c>: registry on :80 and signature store on :81 in one
/// process (podsec ran and sed-edited the distro's nginx and docker-registry units instead).
/// </summary>
public static class ServiceUnit
{
    public const string Name = "u7s.service";
    public const string NodePath = "/etc/systemd/system/" + Name;

    public static string Render(string executablePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(executablePath);
        if (!executablePath.StartsWith('/') || executablePath.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '%' or '$'))
        {
            throw new ClusterException($"the unit needs an absolute executable path without spaces or specials: {executablePath}", ClusterErrorKind.Usage);
        }

        return $"""
            [Unit]
            Description=U7s registry (:80) and signature store (:81)
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=simple
            ExecStart={executablePath} serve
            Restart=on-failure
            RestartSec=2s
            LimitNOFILE=65536
            NoNewPrivileges=yes
            PrivateTmp=yes

            [Install]
            WantedBy=multi-user.target

            """;
    }
}
