using Microsoft.Extensions.Configuration;
using U7s.Registry;
using U7s.Sigstore;
using YamlDotNet.RepresentationModel;

namespace U7s.Cli.Hosting;

/// <summary>
/// Loads the server options. Sources, lowest first: defaults, the config file (<c>u7s.json</c> or
/// <c>u7s.yaml</c>), <c>U7S_</c> environment variables (<c>U7S_REGISTRY__LISTEN</c>), then flags.
/// </summary>
internal static class ServeConfiguration
{
    public static (RegistryOptions Registry, SigstoreOptions Sigstore) Load(string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new UserException($"config file '{configFile}' does not exist");
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
        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new UserException($"config file '{configFile}' is not valid: {e.Message}");
        }

        var registry = new RegistryOptions();
        var sigstore = new SigstoreOptions();
        try
        {
            configuration.GetSection(RegistryOptions.SectionName).Bind(registry, o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(SigstoreOptions.SectionName).Bind(sigstore, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new UserException($"configuration is not valid: {e.Message}");
        }

        var problems = registry.Validate().Concat(sigstore.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new UserException(string.Join("; ", problems));
        }

        return (registry, sigstore);
    }

    /// <summary><c>U7S_REGISTRY__LISTEN=…</c> → <c>Registry:Listen</c>; other variables are ignored.</summary>
    private static Dictionary<string, string?> FromEnvironment(IDictionary<string, string?> environment)
    {
        const string prefix = "U7S_";
        return environment
            .Where(e => e.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => e.Key[prefix.Length..].Replace("__", ":", StringComparison.Ordinal), e => e.Value, StringComparer.OrdinalIgnoreCase);
    }

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
            throw new UserException($"config file '{path}' is not valid YAML: {e.Message}");
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
