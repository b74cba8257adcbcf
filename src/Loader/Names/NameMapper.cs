using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Names;

/// <summary>
/// Maps archive ref names to registry references (SPEC §1.3). <c>target</c> is the 4th argument or
/// <c>registry.local/&lt;platform&gt;</c>; its host must look like a registry host, or
/// containers/image would read it as a Docker Hub namespace.
/// </summary>
internal sealed class NameMapper
{
    public const string DefaultRegistryHost = "registry.local";

    private readonly string _base;

    private NameMapper(string target, string host, string platform, string? archivePlatform)
    {
        Target = target;
        Host = host;
        Platform = platform;
        ArchivePlatform = archivePlatform;
        _base = (archivePlatform ?? target[(target.LastIndexOf('/') + 1)..]) + "/";
    }

    /// <summary><c>registry.local/k8s-c10f1</c> or the 4th argument.</summary>
    public string Target { get; }

    public string Host { get; }

    /// <summary>The configured platform (default <c>k8s-c10f1</c>).</summary>
    public string Platform { get; }

    /// <summary>The archive's platform when the caller re-homes it explicitly, else null.</summary>
    public string? ArchivePlatform { get; }

    /// <exception cref="LoadException">The target is not <c>host/path</c> with a registry-like host.</exception>
    public static NameMapper Create(string? target, string platform, string? archivePlatform)
    {
        if (!RepositoryName.TryParse(platform, out _) || platform.Contains('/', StringComparison.Ordinal))
        {
            throw new LoadException(LoadErrorKind.InvalidTarget, $"invalid platform name '{platform}'");
        }

        target ??= $"{DefaultRegistryHost}/{platform}";
        target = target.TrimEnd('/');
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new LoadException(LoadErrorKind.InvalidTarget, $"missing path after registry name '{target}' (expected e.g. {target}/{platform})");
        }

        var host = target[..slash];
        var path = target[(slash + 1)..];
        if (!(host.Contains('.', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal) || host == "localhost"))
        {
            throw new LoadException(LoadErrorKind.InvalidTarget, $"'{host}' is not a registry host name (it needs a '.' or ':' or must be 'localhost'); clients would read '{target}' as a Docker Hub path");
        }

        if (!Reference.TryParse($"{target}:latest", out var parsed) || parsed.Host != host || !RepositoryName.TryParse(path, out _))
        {
            throw new LoadException(LoadErrorKind.InvalidTarget, $"invalid target '{target}': expected host/path with a lowercase repository path");
        }

        if (archivePlatform is not null && (!RepositoryName.TryParse(archivePlatform, out _) || archivePlatform.Contains('/', StringComparison.Ordinal)))
        {
            throw new LoadException(LoadErrorKind.InvalidTarget, $"invalid archive platform '{archivePlatform}'");
        }

        return new NameMapper(target, host, platform, archivePlatform);
    }

    /// <summary>SPEC §1.3 rule 3: refs under the base go under the target, others under the host.</summary>
    /// <exception cref="LoadException">The mapped name is not a valid repository name or tag.</exception>
    public MappedImage Map(RefName refName)
    {
        var underBase = refName.Value.StartsWith(_base, StringComparison.Ordinal);
        var mapped = underBase ? $"{Target}/{refName.Value[_base.Length..]}" : $"{Host}/{refName.Value}";
        if (!Reference.TryParse(mapped, out var reference) || reference.Host != Host || reference.Tag is null || reference.Digest is not null)
        {
            throw new LoadException(LoadErrorKind.InvalidReference, $"ref name '{refName}' maps to '{mapped}', which is not a valid registry reference (repository names are lowercase; tags are [A-Za-z0-9_][A-Za-z0-9._-]{{0,127}})");
        }

        return new MappedImage(refName, reference, !underBase);
    }

    /// <summary>
    /// SPEC §1.3 platform check over all entries: at least one ref must carry the configured
    /// platform, or the archive platform named explicitly for re-homing.
    /// </summary>
    /// <exception cref="LoadException">No entry carries the expected platform.</exception>
    public void CheckPlatform(IReadOnlyCollection<RefName> refs)
    {
        var expected = ArchivePlatform ?? Platform;
        if (refs.Count == 0 || refs.Any(r => r.FirstComponent == expected))
        {
            return;
        }

        var found = string.Join(", ", refs.Select(r => r.FirstComponent).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        throw new LoadException(
            LoadErrorKind.PlatformMismatch,
            ArchivePlatform is null
                ? $"platform mismatch: the archive holds images for '{found}', the configured platform is '{Platform}' (name the archive platform explicitly to re-home its images under {Target})"
                : $"platform mismatch: no image in the archive is under '{ArchivePlatform}/' (found '{found}')");
    }
}
