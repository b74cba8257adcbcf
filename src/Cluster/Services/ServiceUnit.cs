namespace U7s.Cluster.Services;

/// <summary>
/// The systemd unit that runs <c>u7s serve</c>: registry on :80 and signature store on :81 in one
/// process (podsec ran and sed-edited the distro's nginx and docker-registry units instead).
/// </summary>
public static class ServiceUnit
{
    public const string Name = "u7s.service";
    public const string NodePath = "/etc/systemd/system/" + Name;

    /// <param name="configPath">Adds <c>--config</c> to the command line: the file packages install under <c>/etc/u7s/</c>.</param>
    public static string Render(string executablePath, string? configPath = null)
    {
        CheckPath(executablePath, "executable path");
        var arguments = "serve";
        if (configPath is not null)
        {
            CheckPath(configPath, "config path");
            arguments += " --config " + configPath;
        }

        return $"""
            [Unit]
            Description=U7s registry (:80) and signature store (:81)
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=simple
            ExecStart={executablePath} {arguments}
            Restart=on-failure
            RestartSec=2s
            LimitNOFILE=65536
            NoNewPrivileges=yes
            PrivateTmp=yes

            [Install]
            WantedBy=multi-user.target

            """;
    }

    // systemd splits ExecStart on spaces and expands % and $: a path is written only when it needs no quoting.
    private static void CheckPath(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '%' or '$'))
        {
            throw new ClusterException($"the unit needs an absolute {what} without spaces or specials: {path}", ClusterErrorKind.Usage);
        }
    }
}
