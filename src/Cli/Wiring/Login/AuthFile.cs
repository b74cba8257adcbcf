using System.Text;
using System.Text.Json;

namespace U7s.Cli.Wiring.Login;

/// <summary>
/// One containers-auth.json(5) file (what <c>podman login</c> and <c>docker login</c> write):
/// <c>{"auths": {"host[:port][/namespace]": {"auth": base64("user:password")}}}</c>. Keys may also be written
/// as URLs (<c>https://index.docker.io/v1/</c>, as old docker clients did); they are read as their host and path.
/// Credential helpers and identity tokens are not read.
/// </summary>
internal sealed class AuthFile
{
    /// <summary>Largest auth file read: thousands of entries; a file past it is refused, not read whole.</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly Dictionary<string, RegistryCredential> _entries;

    private AuthFile(string path, Dictionary<string, RegistryCredential> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    /// <summary>Reads <paramref name="path"/>; an unreadable or malformed file is an <see cref="AuthFileException"/> naming the file, never its content.</summary>
    public static AuthFile Load(string path)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxBytes)
            {
                throw new AuthFileException($"auth file {path} is larger than {MaxBytes / 1024} KiB");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AuthFileException($"cannot read auth file {path}: {e.Message}");
        }

        var entries = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new AuthFileException($"auth file {path} is not a JSON object");
            }

            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return new AuthFile(path, entries);
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object || !entry.Value.TryGetProperty("auth", out var auth) || auth.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                // Only the key is named in an error: the value is the secret.
                var credential = Decode(auth.GetString()!) ?? throw new AuthFileException($"auth file {path}: the entry for {KeyOf(entry.Name)} is not base64 of user:password");
                entries[KeyOf(entry.Name)] = credential;
            }
        }
        catch (JsonException)
        {
            throw new AuthFileException($"auth file {path} is not valid JSON");
        }

        return new AuthFile(path, entries);
    }

    /// <summary>
    /// The credential for <paramref name="host"/> (<c>host[:port]</c>) and, when known, the repository a request is
    /// for: the most specific key wins (<c>host/ns/repo</c> before <c>host/ns</c> before <c>host</c>), as in
    /// containers-auth.json(5).
    /// </summary>
    public RegistryCredential? Find(string host, string? repository)
    {
        if (repository is not null)
        {
            var scoped = $"{host}/{repository}";
            for (var cut = scoped.Length; cut > host.Length; cut = scoped.LastIndexOf('/', cut - 1))
            {
                if (_entries.TryGetValue(scoped[..cut], out var found))
                {
                    return found;
                }
            }
        }

        return _entries.GetValueOrDefault(host);
    }

    private static string KeyOf(string key)
    {
        var start = key.IndexOf("://", StringComparison.Ordinal);
        var bare = start < 0 ? key : key[(start + 3)..];
        bare = bare.TrimEnd('/');
        // docker's own Hub key names the v1 index; the registry it logs in to is docker.io.
        return bare is "index.docker.io/v1" or "index.docker.io" or "registry-1.docker.io" ? "docker.io" : bare;
    }

    private static RegistryCredential? Decode(string base64)
    {
        try
        {
            return RegistryCredential.ParseOrNull(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
