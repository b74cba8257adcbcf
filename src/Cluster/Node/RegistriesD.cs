using U7s.Cluster.Files;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace U7s.Cluster.Node;

/// <summary>
/// <c>registries.d/default.yaml</c> of SPEC §3.3: a <c>default-docker</c> section with
/// <c>lookaside</c> and its pre-5.22 alias <c>sigstore</c> (CRI-O before Kubernetes 1.26 reads only
/// that), plus the <c>file://</c> staging pair for an imagemaker so <c>podman push --sign-by</c>
/// writes into the store tree.
/// </summary>
public static class RegistriesD
{
    private static readonly string[] SectionKeys = ["lookaside", "lookaside-staging", "sigstore", "sigstore-staging", "use-sigstore-attachments"];

    public const string StagingUrl = "file:///var/sigstore/sigstore/";

    /// <summary>The YAML text; <paramref name="stagingUrl"/> adds the two staging keys.</summary>
    public static string Render(string lookasideUrl, string? stagingUrl = null)
    {
        var section = new YamlMappingNode
        {
            { "lookaside", lookasideUrl },
            { "sigstore", lookasideUrl },
        };
        if (stagingUrl is not null)
        {
            section.Add("lookaside-staging", stagingUrl);
            section.Add("sigstore-staging", stagingUrl);
        }

        var text = YamlText.Write(new YamlMappingNode { { "default-docker", section } });
        Validate(text);
        return text;
    }

    /// <summary>
    /// Strict check as containers/image reads the file: only <c>default-docker</c> and
    /// <c>docker</c> at the top, only the known URL keys inside, every URL absolute.
    /// Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static void Validate(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"registries.d file is not valid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode top)
        {
            throw new InvalidDataException("registries.d file must hold one mapping");
        }

        foreach (var (key, value) in top.Children)
        {
            switch (((YamlScalarNode)key).Value)
            {
                case "default-docker":
                    Section(value, "default-docker");
                    break;
                case "docker" when value is YamlMappingNode scopes:
                    foreach (var (scope, section) in scopes.Children)
                    {
                        Section(section, $"docker scope {((YamlScalarNode)scope).Value}");
                    }

                    break;
                default:
                    throw new InvalidDataException($"registries.d: unknown top-level key {key}");
            }
        }
    }

    /// <summary>
    /// The lookaside a reader of <paramref name="reference"/> uses, as containers/image 5.23 picks it
    /// from the registries.d files <paramref name="files"/>: the <c>docker</c> entry for the
    /// reference itself (<c>host/repo:tag</c>), then for each enclosing namespace (<c>host/repo</c>,
    /// <c>host/ns</c>, <c>host</c>), then <c>default-docker</c>; inside an entry <c>lookaside</c>
    /// before its alias <c>sigstore</c>. Null when nothing names one (the image then has no signatures).
    /// Throws <see cref="InvalidDataException"/> for an invalid file or a scope defined twice.
    /// </summary>
    public static Uri? LookasideFor(IEnumerable<string> files, string reference)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(reference);
        var scopes = new Dictionary<string, Uri?>(StringComparer.Ordinal);
        Uri? fallback = null;
        var haveDefault = false;
        foreach (var text in files)
        {
            Validate(text);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            foreach (var (key, value) in ((YamlMappingNode)stream.Documents[0].RootNode).Children)
            {
                if (((YamlScalarNode)key).Value == "default-docker")
                {
                    if (haveDefault)
                    {
                        throw new InvalidDataException("registries.d: default-docker is defined in more than one file");
                    }

                    haveDefault = true;
                    fallback = ReadUrl((YamlMappingNode)value);
                    continue;
                }

                foreach (var (scope, section) in ((YamlMappingNode)value).Children)
                {
                    var name = ((YamlScalarNode)scope).Value ?? string.Empty;
                    if (!scopes.TryAdd(name, ReadUrl((YamlMappingNode)section)))
                    {
                        throw new InvalidDataException($"registries.d: docker scope {name} is defined more than once");
                    }
                }
            }
        }

        foreach (var candidate in ScopesOf(reference))
        {
            if (scopes.TryGetValue(candidate, out var url))
            {
                return url;
            }
        }

        return fallback;
    }

    // The identity without a digest, then the repository and each parent namespace down to the host.
    private static IEnumerable<string> ScopesOf(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? reference : reference[..at];
        yield return reference;
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var repository = colon > lastSlash ? name[..colon] : name;
        for (var current = repository; current.Length > 0;)
        {
            yield return current;
            var slash = current.LastIndexOf('/');
            current = slash < 0 ? string.Empty : current[..slash];
        }
    }

    private static Uri? ReadUrl(YamlMappingNode section)
    {
        foreach (var key in new[] { "lookaside", "sigstore" })
        {
            if (section.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } url })
            {
                return new Uri(url, UriKind.Absolute);
            }
        }

        return null;
    }

    private static void Section(YamlNode node, string where)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new InvalidDataException($"registries.d: {where} must be a mapping");
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (!SectionKeys.Contains(name, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"registries.d: {where}: unknown key {name}");
            }

            if (name != "use-sigstore-attachments"
                && (value is not YamlScalarNode { Value: { } url } || !Uri.TryCreate(url, UriKind.Absolute, out _)))
            {
                throw new InvalidDataException($"registries.d: {where}: {name} must be an absolute URL");
            }
        }
    }
}
