using U7s.Loader.Loading;
using U7s.Loader.Registry;
using U7s.Loader.Saving;
using U7s.Oci;

namespace U7s.Cli.Wiring;

/// <summary>
/// Where <c>save-oci</c> reads an image named by its upstream reference (<c>registry.k8s.io/pause:3.9</c>,
/// <c>docker.io/flannel/flannel:v0.21.4</c>): the registry the name's host stands for, unless a mirror
/// (<c>--mirror HOST=URL</c>, first; else the longest matching prefix of a registries.conf) points it elsewhere.
/// Docker Hub is <c>docker.io</c> in names and
/// <c>registry-1.docker.io</c> on the wire, and its one-component names live under <c>library/</c>, as containers tools read them.
/// Logins are looked up for the server a request goes to, so a mirror's own entry in the auth file is used.
/// </summary>
internal sealed class UpstreamRegistries(HttpClient http, IReadOnlyDictionary<string, Uri> mirrors, IReadOnlyList<RegistryRewrite>? registriesConf = null)
{
    public const string DockerHub = "docker.io";

    private readonly Dictionary<Uri, RegistryClient> _clients = [];

    /// <summary>Parses <c>HOST=URL</c> entries: an http(s) URL without a path, one per host.</summary>
    public static Dictionary<string, Uri> ParseMirrors(IEnumerable<string> entries)
    {
        var mirrors = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var host = equals > 0 ? Normalize(entry[..equals]) : string.Empty;
            if (equals <= 0 || !Uri.TryCreate(entry[(equals + 1)..], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
                || url.AbsolutePath != "/" || url.Query.Length > 0 || url.UserInfo.Length > 0 || host.Contains('/', StringComparison.Ordinal))
            {
                throw new UserException($"invalid --mirror '{entry}' (expected HOST=http[s]://host[:port], e.g. registry.k8s.io=http://127.0.0.1:5000)", ExitCodes.Usage);
            }

            if (!mirrors.TryAdd(host, url))
            {
                throw new UserException($"--mirror names {host} twice", ExitCodes.Usage);
            }
        }

        return mirrors;
    }

    /// <exception cref="LoadException">registries.conf blocks the name, or rewrites it into something that is not a name.</exception>
    public ImageSource Resolve(Reference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = Normalize(reference.Host ?? DockerHub);
        var repository = host == DockerHub && !reference.Repository.Value.Contains('/', StringComparison.Ordinal)
            ? $"library/{reference.Repository}"
            : reference.Repository.Value;
        Uri baseUri;
        if (mirrors.TryGetValue(host, out var mirror))
        {
            baseUri = mirror;
        }
        else if (Match($"{host}/{repository}") is { } rule)
        {
            if (rule.Blocked)
            {
                throw new LoadException(LoadErrorKind.Usage, $"registries.conf blocks {host}/{repository} (prefix {rule.Prefix})");
            }

            var target = rule.Location.TrimEnd('/') + $"{host}/{repository}"[rule.Prefix.Length..];
            var slash = target.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !Uri.TryCreate($"{(rule.Insecure ? "http" : "https")}://{target[..slash]}/", UriKind.Absolute, out var rewritten)
                || rewritten.UserInfo.Length > 0 || rewritten.PathAndQuery != "/" || rewritten.Fragment.Length > 0 || !RepositoryName.TryParse(target[(slash + 1)..], out _))
            {
                throw new LoadException(LoadErrorKind.Usage, $"registries.conf maps {host}/{repository} to '{target}', which is not host/repository");
            }

            (baseUri, repository) = (rewritten, target[(slash + 1)..]);
        }
        else
        {
            baseUri = new Uri(host == DockerHub ? "https://registry-1.docker.io/" : $"https://{host}/");
        }

        if (!_clients.TryGetValue(baseUri, out var client))
        {
            client = new RegistryClient(http, baseUri);
            _clients[baseUri] = client;
        }

        return new ImageSource(client, RepositoryName.Parse(repository));
    }

    /// <summary>The registries.conf entry with the longest prefix that covers <paramref name="name"/> (on a path boundary).</summary>
    private RegistryRewrite? Match(string name) => (registriesConf ?? [])
        .Where(r => name == r.Prefix || name.StartsWith(r.Prefix.TrimEnd('/') + "/", StringComparison.Ordinal))
        .MaxBy(r => r.Prefix.Length);

    private static string Normalize(string host) => host.Trim().ToLowerInvariant() is "index.docker.io" or "registry-1.docker.io" ? DockerHub : host.Trim().ToLowerInvariant();
}
