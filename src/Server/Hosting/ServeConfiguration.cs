using Microsoft.Extensions.Configuration;
using U7s.Registry;
using U7s.S3;
using U7s.Sigstore;
using YamlDotNet.RepresentationModel;

namespace U7s.Server.Hosting;

/// <summary>
/// Loads the server options. Sources, lowest first: defaults, the config file (<c>u7s.json</c> or
/// <c>u7s.yaml</c>), <c>U7S_</c> environment variables (<c>U7S_REGISTRY__LISTEN</c>), then flags.
/// The top-level <c>Storage</c> key picks the backend: <c>filesystem</c> (default) or <c>s3</c> with the <c>S3</c> section.
/// </summary>
internal static class ServeConfiguration
{
    private const string StorageKey = "Storage";
    private const string Filesystem = "filesystem";
    private const string S3 = "s3";

    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [ServerOptions.SectionName] = typeof(ServerOptions),
        [RegistryOptions.SectionName] = typeof(RegistryOptions),
        [SigstoreOptions.SectionName] = typeof(SigstoreOptions),
        [S3StorageOptions.SectionName] = typeof(S3StorageOptions),
    };

    public static ServeSettings Load(string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new ServerException($"config file '{configFile}' does not exist");
            }

            if (configFile.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || configFile.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                builder.AddInMemoryCollection(ReadYaml(configFile));
            }
            else
            {
                builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
            }
        }

        builder.AddInMemoryCollection(FromEnvironment(environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value)));
        builder.AddInMemoryCollection(flags.Where(f => f.Value is not null));
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new ServerException($"config file '{configFile}' is not valid: {e.Message}");
        }

        // Sources were added in this order: the file (when given), the environment, the flags.
        var sources = new List<Func<string, string>>();
        if (configFile is not null)
        {
            sources.Add(_ => configFile);
        }

        sources.Add(key => $"environment variable U7S_{key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}");
        sources.Add(_ => "command line");
        foreach (var (provider, describe) in configuration.Providers.Zip(sources))
        {
            if (SettingsCheck.FirstProblem(provider, Sections, [StorageKey], describe) is { } problem)
            {
                throw new ServerException(problem);
            }
        }

        var server = new ServerOptions();
        var registry = new RegistryOptions();
        var sigstore = new SigstoreOptions();
        var s3 = new S3StorageOptions();
        try
        {
            configuration.GetSection(ServerOptions.SectionName).Bind(server, o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(RegistryOptions.SectionName).Bind(registry, o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(SigstoreOptions.SectionName).Bind(sigstore, o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(S3StorageOptions.SectionName).Bind(s3, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ServerException($"configuration is not valid: {e.Message}");
        }

        var warnings = new List<string>();
        var problems = new List<string>();
        ResolveOldNames(configuration, server, registry, sigstore, warnings, problems);
        var storage = configuration[StorageKey] ?? Filesystem;
        var useS3 = storage.Equals(S3, StringComparison.OrdinalIgnoreCase);
        problems.AddRange(registry.Validate().Concat(sigstore.Validate()));
        if (useS3)
        {
            problems.AddRange(s3.Validate());
        }
        else if (!storage.Equals(Filesystem, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"Storage '{storage}' is not one of: {Filesystem}, {S3}");
        }

        if (problems.Count > 0)
        {
            throw new ServerException(string.Join("; ", problems));
        }

        return new ServeSettings(registry, sigstore, useS3 ? s3 : null) { Warnings = warnings };
    }

    /// <summary>
    /// The one place settings that were renamed are still taken, each with a one-line warning for the start-up log:
    /// <c>Sigstore:HtpasswdPath</c> (now <c>Registry:Auth:Htpasswd</c>, one file for both ports) and
    /// <c>Registry:ProxyProtocol</c>, <c>Registry:TrustedProxies</c> (now <c>Server:…</c>: they govern both ports).
    /// Setting an old name and its new one is a problem, except for the htpasswd file, whose old name still
    /// governs :81's logins alone as it did.
    /// </summary>
    private static void ResolveOldNames(IConfiguration configuration, ServerOptions server, RegistryOptions registry, SigstoreOptions sigstore, List<string> warnings, List<string> problems)
    {
        if (sigstore.HtpasswdPath is { } old)
        {
            warnings.Add(registry.Auth.Htpasswd is null || registry.Auth.Htpasswd == old
                ? $"Sigstore:HtpasswdPath is the old name of Registry:Auth:Htpasswd (one htpasswd file for :80 and :81); {old} is used for the signature store's logins only: set Registry:Auth:Htpasswd instead"
                : $"Sigstore:HtpasswdPath is the old name of Registry:Auth:Htpasswd: the signature store takes logins from {old}, the registry from {registry.Auth.Htpasswd}; set Registry:Auth:Htpasswd only");
        }

        // The signature store takes uploads only with an htpasswd file: the one setting, unless the old name gave its own.
        sigstore.HtpasswdPath ??= registry.Auth.Htpasswd;

        // The registry's options carry the resolved values: its app and the listeners of both ports read them there.
        var oldProxy = Renamed(configuration, nameof(RegistryOptions.ProxyProtocol), warnings, problems);
        var oldTrusted = Renamed(configuration, nameof(RegistryOptions.TrustedProxies), warnings, problems);
        if (!oldProxy)
        {
            registry.ProxyProtocol = server.ProxyProtocol;
        }

        if (!oldTrusted)
        {
            registry.TrustedProxies = server.TrustedProxies;
        }
    }

    /// <summary>True when <c>Registry:<paramref name="name"/></c>, the old name of <c>Server:<paramref name="name"/></c>, is set.</summary>
    private static bool Renamed(IConfiguration configuration, string name, List<string> warnings, List<string> problems)
    {
        var oldKey = $"{RegistryOptions.SectionName}:{name}";
        var newKey = $"{ServerOptions.SectionName}:{name}";
        if (!configuration.GetSection(oldKey).Exists())
        {
            return false;
        }

        if (configuration.GetSection(newKey).Exists())
        {
            problems.Add($"{oldKey} is the old name of {newKey} and both are set: set {newKey} only");
        }
        else
        {
            warnings.Add($"{oldKey} is the old name of {newKey} (it governs both ports): set {newKey} instead");
        }

        return true;
    }

    /// <summary>
    /// <c>U7S_REGISTRY__LISTEN=…</c> → <c>Registry:Listen</c>. Only <c>U7S_STORAGE</c> and variables of a
    /// known section (<c>U7S_SERVER__…</c>, <c>U7S_REGISTRY__…</c>, <c>U7S_SIGSTORE__…</c>, <c>U7S_S3__…</c>) are settings, checked
    /// like the file's; any other <c>U7S_…</c> variable (a script's or a package's own) is not ours to refuse.
    /// </summary>
    private static Dictionary<string, string?> FromEnvironment(IDictionary<string, string?> environment)
    {
        const string prefix = "U7S_";
        return environment
            .Where(e => e.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && IsSetting(e.Key[prefix.Length..]))
            .ToDictionary(e => e.Key[prefix.Length..].Replace("__", ":", StringComparison.Ordinal), e => e.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsSetting(string name) =>
        name.Equals(StorageKey, StringComparison.OrdinalIgnoreCase)
        || Sections.Keys.Any(section => name.StartsWith(section + "__", StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string?> ReadYaml(string path)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ServerException($"config file '{path}' is not valid YAML: {e.Message}");
        }

        if (stream.Documents.Count > 0)
        {
            Flatten(stream.Documents[0].RootNode, string.Empty, result);
        }

        return result;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string?> result)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    Flatten(value, prefix.Length == 0 ? name : $"{prefix}:{name}", result);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], $"{prefix}:{i}", result);
                }

                break;
            case YamlScalarNode scalar:
                result[prefix] = scalar.Value;
                break;
        }
    }
}
