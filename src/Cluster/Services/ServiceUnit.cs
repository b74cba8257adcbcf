namespace U7s.Cluster.Services;

/// <summary>
/// The systemd unit that runs <c>u7s serve</c>: registry on :80 and signature store on :81 in one
/// process (podsec ran and sed-edited the distro's nginx and docker-registry units instead). It runs as
/// the unprivileged <see cref="User"/> with only the capability to bind those ports, may write only the
/// data and signature trees, and cannot see home directories, where imagemakers keep their secret keys.
/// </summary>
public static class ServiceUnit
{
    public const string Name = "u7s.service";
    public const string NodePath = "/etc/systemd/system/" + Name;

    /// <summary>The system account the service runs as; a member of <c>podman_dev</c>, so it may add signatures.</summary>
    public const string User = "u7s";

    public static string Render(ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckPath(request.ExecutablePath, "executable path");
        CheckPath(request.DataRoot, "data root");
        CheckPath(request.SigstoreRoot, "signature store root");
        var arguments = $"serve --data {request.DataRoot} --sigstore-root {request.SigstoreRoot}";
        if (request.ConfigPath is not null)
        {
            // The config alone: flags win over the file, so any flag here would make its setting in the file silently dead.
            // The sandbox below still opens only the request's two roots: a config that moves them needs a drop-in (README).
            CheckPath(request.ConfigPath, "config path");
            arguments = $"serve --config {request.ConfigPath}";
        }

        // No JIT in the native build: nothing may ever map memory writable and executable, or make memory executable later.
        var writeExecute = request.NativeCode
            ? "MemoryDenyWriteExecute=yes"
            : "# Not MemoryDenyWriteExecute: the .NET JIT writes code (the native build's unit sets it).";

        return $"""
            [Unit]
            Description=U7s registry (:80) and signature store (:81)
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=simple
            ExecStart={request.ExecutablePath} {arguments}
            User={User}
            Group={User}
            UMask=0022
            Restart=on-failure
            RestartSec=2s
            LimitNOFILE=65536
            # Binds :80 and :81 without root, and can gain nothing more.
            AmbientCapabilities=CAP_NET_BIND_SERVICE
            CapabilityBoundingSet=CAP_NET_BIND_SERVICE
            NoNewPrivileges=yes
            # Everything read-only but the two trees it serves; /home, /root and /run/user invisible.
            ProtectSystem=strict
            ReadWritePaths={request.DataRoot} -{request.SigstoreRoot}
            ProtectHome=yes
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectProc=invisible
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictNamespaces=yes
            RestrictRealtime=yes
            RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
            LockPersonality=yes
            SystemCallArchitectures=native
            # Not RestrictSUIDSGID: signature directories are made setgid (2775) so every imagemaker adds to them.
            {writeExecute}

            [Install]
            WantedBy=multi-user.target

            """;
    }

    // systemd splits ExecStart on spaces and expands % and $: a path is written only when it needs no quoting.
    private static void CheckPath(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '\\' or '%' or '$' or ';'))
        {
            throw new ClusterException($"the unit needs an absolute {what} without spaces or specials: {path}", ClusterErrorKind.Usage);
        }
    }
}
