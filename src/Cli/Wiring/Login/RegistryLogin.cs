namespace U7s.Cli.Wiring.Login;

/// <summary>
/// Where one run of a verb finds its logins, as containers tools do: <c>--creds</c> for every server the verb is
/// pointed at; else <c>--authfile</c>; else containers-auth.json(5)'s lookup order (<c>REGISTRY_AUTH_FILE</c>,
/// <c>$XDG_RUNTIME_DIR/containers/auth.json</c>, <c>~/.config/containers/auth.json</c>, <c>~/.docker/config.json</c>),
/// the first file with an entry for the server winning. Entries are keyed by <c>host[:port]</c> (the port only when
/// it is not the scheme's default), as <c>podman login host[:port]</c> writes them.
/// </summary>
internal sealed class RegistryLogin
{
    private readonly RegistryCredential? _creds;
    private readonly IReadOnlyList<AuthFile> _files;
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);

    private RegistryLogin(RegistryCredential? creds, IReadOnlyList<AuthFile> files)
    {
        _creds = creds;
        _files = files;
    }

    /// <summary>No login at all: anonymous requests and anonymous tokens only.</summary>
    public static RegistryLogin Anonymous { get; } = new(null, []);

    /// <summary>Every request with this one login (<c>--creds</c>).</summary>
    public static RegistryLogin With(RegistryCredential credential) => new(credential, []);

    /// <summary>
    /// From <c>--authfile</c> (which must exist) or, without it, the default lookup order in
    /// <paramref name="environment"/> (the process environment unless a test gives another); missing default files
    /// are skipped.
    /// </summary>
    public static RegistryLogin FromFiles(string? authFile, Func<string, string?>? environment = null)
    {
        if (authFile is not null)
        {
            if (!File.Exists(authFile))
            {
                throw new AuthFileException($"auth file {authFile} does not exist");
            }

            return new RegistryLogin(null, [AuthFile.Load(authFile)]);
        }

        return new RegistryLogin(null, [.. DefaultPaths(environment ?? Environment.GetEnvironmentVariable).Where(File.Exists).Select(AuthFile.Load)]);
    }

    /// <summary>containers-auth.json(5)'s files, in the order they are searched.</summary>
    public static IEnumerable<string> DefaultPaths(Func<string, string?> environment)
    {
        if (environment("REGISTRY_AUTH_FILE") is { Length: > 0 } explicitFile)
        {
            yield return explicitFile;
        }

        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            yield return Path.Combine(runtime, "containers", "auth.json");
        }

        if (environment("HOME") is { Length: > 0 } home)
        {
            yield return Path.Combine(environment("XDG_CONFIG_HOME") is { Length: > 0 } config ? config : Path.Combine(home, ".config"), "containers", "auth.json");
            yield return Path.Combine(home, ".docker", "config.json");
        }
    }

    /// <summary>
    /// Requests to <paramref name="server"/> without an entry of their own use the login of <paramref name="registry"/>
    /// (both <c>host[:port]</c>): the signature store on :81 answers to the registry's logins, and users log in to
    /// the registry only.
    /// </summary>
    public RegistryLogin Alias(string server, string registry)
    {
        if (!string.Equals(server, registry, StringComparison.OrdinalIgnoreCase))
        {
            _aliases[server] = registry;
        }

        return this;
    }

    /// <summary>The credential for a request to <paramref name="uri"/>; <paramref name="repository"/> when the request names one.</summary>
    public RegistryCredential? For(Uri uri, string? repository)
    {
        if (_creds is not null)
        {
            return _creds;
        }

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        if (host is "registry-1.docker.io" or "index.docker.io")
        {
            host = "docker.io";
        }

        // The server's own entry first, then the registry it stands in for.
        foreach (var key in _aliases.TryGetValue(host, out var registry) ? [host, registry] : new[] { host })
        {
            foreach (var file in _files)
            {
                if (file.Find(key, repository) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
