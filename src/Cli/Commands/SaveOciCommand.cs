using System.CommandLine;
using U7s.Cluster.Kubeadm;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Saving;
using U7s.Oci;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s save-oci &lt;out&gt; &lt;arch&gt;[,&lt;arch&gt;…]|all &lt;image&gt;…</c>: writes images from a
/// registry in the archive format load-sign-oci reads (SPEC §1.7). <c>u7s save-oci &lt;out&gt; --kubernetes V
/// [--arch …]</c>: the archive of a Kubernetes release, read from upstream (registry.k8s.io, docker.io) or the
/// mirrors <c>--mirror</c> names, under the platform's names (<c>k8s-c10f1/kube-apiserver:V</c>, SPEC §1.4).
/// <c>out</c> must not exist; a name ending in <c>.tar.xz</c> gets one archive with a folder per architecture,
/// anything else becomes a directory with one <c>&lt;arch&gt;.tar.xz</c> per architecture. Downloaded blobs stay in
/// <c>.&lt;out&gt;.blobs</c> until the archive is complete, so a run that fails or is interrupted resumes.
/// </summary>
internal static class SaveOciCommand
{
    private static readonly Argument<string> OutputArgument = new("out") { Description = "New archive (*.tar.xz) or new directory for <arch>.tar.xz files" };
    private static readonly Argument<string?> ArchArgument = new("arch") { Arity = ArgumentArity.ZeroOrOne, Description = "Architectures, comma separated, or all (not with --kubernetes)" };
    private static readonly Argument<string[]> ImagesArgument = new("image") { Arity = ArgumentArity.ZeroOrMore, Description = "Images, e.g. registry.local/k8s-c10f1/pause:3.9 (not with --kubernetes)" };
    private static readonly Option<string> RegistryOption = new("--registry") { DefaultValueFactory = _ => "http://registry.local", Description = "Registry URL images are read from (not with --kubernetes)" };
    private static readonly Option<string?> KubernetesOption = new("--kubernetes") { Description = "Save the images of this Kubernetes release (e.g. v1.27.16) from upstream: kubeadm's seven, flannel and its CNI plugin" };
    private static readonly Option<string> ArchOption = new("--arch") { DefaultValueFactory = _ => "amd64", Description = "With --kubernetes: architectures, comma separated, or all" };
    private static readonly Option<string> PlatformOption = new("--platform") { DefaultValueFactory = _ => "k8s-c10f1", Description = "With --kubernetes: the platform the ref names start with" };
    private static readonly Option<string[]> MirrorOption = new("--mirror") { Description = "HOST=URL: read images named HOST/… from URL instead (repeatable), e.g. registry.k8s.io=http://mirror:5000" };
    private static readonly Option<string?> RegistriesConfOption = new("--registries-conf") { Description = "With --kubernetes: read mirrors from this registries.conf ([[registry]] prefix/location, [[registry.mirror]] location, insecure); --mirror wins" };
    private static readonly Option<string?> TempDirOption = new("--temp-dir") { Description = "Directory for decompressed layers" };
    private static readonly Option<string?> CacheDirOption = new("--cache-dir") { Description = "Directory for downloaded blobs, kept until the archive is complete (default .<out>.blobs next to out)" };

    public static Command Create()
    {
        var command = new Command("save-oci", "Write registry images, or a Kubernetes release's images from upstream, into an image archive (uncompressed layers, multi-block xz)");
        command.Arguments.Add(OutputArgument);
        command.Arguments.Add(ArchArgument);
        command.Arguments.Add(ImagesArgument);
        command.Options.Add(RegistryOption);
        command.Options.Add(KubernetesOption);
        command.Options.Add(ArchOption);
        command.Options.Add(PlatformOption);
        command.Options.Add(MirrorOption);
        command.Options.Add(RegistriesConfOption);
        command.Options.Add(TempDirOption);
        command.Options.Add(CacheDirOption);
        Wiring.Login.LoginOptions.AddTo(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var path = parse.GetValue(OutputArgument)!;
        using var http = Wiring.RemoteHttp.Create(Timeout.InfiniteTimeSpan, Wiring.Login.LoginOptions.Resolve(parse));
        var (archs, images, resolve) = parse.GetValue(KubernetesOption) is { } kubernetes
            ? Kubernetes(parse, kubernetes, http)
            : Listed(parse, http);
        var request = new SaveRequest
        {
            OutputPath = path,
            SingleFile = path.EndsWith(".tar.xz", StringComparison.Ordinal),
            Architectures = archs,
            Images = images,
            TemporaryRoot = parse.GetValue(TempDirOption),
            CacheDirectory = parse.GetValue(CacheDirOption),
        };
        try
        {
            var result = await LoaderConsole.RunWithProgressAsync(
                output,
                $"saving {Path.GetFileName(path)}",
                progress => new ArchiveSaver(resolve, progress).SaveAsync(request, cancellationToken));
            LoaderConsole.WriteRows(
                output,
                ["Arch", "Ref name", "Digest", "Layers"],
                [.. result.Images.Select(image => new[] { image.Architecture, image.RefName, image.ManifestDigest.ToString(), image.Rewritten ? "layers decompressed" : "layers as stored" })]);
            var reused = result.BlobsReused > 0 ? $"; {result.BlobsReused} layers were already downloaded by an earlier run" : string.Empty;
            await output.WriteLineAsync($"downloaded {result.BlobsDownloaded} layers ({ByteSize.Format(result.BytesDownloaded)}){reused}");
            foreach (var file in result.Files)
            {
                await output.WriteLineAsync($"wrote {file} ({ByteSize.Format(new FileInfo(file).Length)})");
            }

            return ExitCodes.Success;
        }
        catch (LoadException e)
        {
            // Finished downloads wait for the next run; a registry that failed may answer then, a wrong blob stays wrong.
            var cache = request.CacheDirectory ?? SaveRequest.DefaultCacheDirectory(path);
            var kept = !Directory.Exists(cache) ? string.Empty
                : e.Kind == LoadErrorKind.Registry ? $" (downloaded blobs kept in {cache}: run again to resume)"
                : $" (downloaded blobs kept in {cache} for the next run)";
            throw new UserException(e.Message + kept, LoaderExitCodes.For(e.Kind));
        }
    }

    /// <summary><c>save-oci OUT ARCH IMAGE…</c>: images as named, from one registry.</summary>
    private static (IReadOnlyList<string>, IReadOnlyList<SaveImage>, Func<Reference, ImageSource>) Listed(ParseResult parse, HttpClient http)
    {
        if (parse.GetValue(ArchArgument) is not { } archText || parse.GetValue(ImagesArgument) is not { Length: > 0 } values)
        {
            throw new UserException("save-oci needs <arch> and at least one <image>, or --kubernetes VERSION", ExitCodes.Usage);
        }

        if (Given(parse, MirrorOption) || Given(parse, ArchOption) || Given(parse, PlatformOption) || Given(parse, RegistriesConfOption))
        {
            throw new UserException("--mirror, --registries-conf, --arch and --platform go with --kubernetes; list images with --registry", ExitCodes.Usage);
        }

        var archs = ParseArchitectures(archText);
        var images = new List<SaveImage>();
        foreach (var value in values)
        {
            if (!Reference.TryParse(value, out var reference) || reference.Tag is null)
            {
                throw new UserException($"invalid image '{value}' (expected [host/]repository:tag)", ExitCodes.Usage);
            }

            images.Add(SaveImage.Named(reference));
        }

        var registryText = parse.GetValue(RegistryOption)!;
        if (!Uri.TryCreate(registryText, UriKind.Absolute, out var registry) || registry.Scheme is not ("http" or "https"))
        {
            throw new UserException($"invalid --registry '{registryText}'", ExitCodes.Usage);
        }

        var client = new RegistryClient(http, registry);
        return (archs, images, reference => new ImageSource(client, reference.Repository));
    }

    /// <summary><c>save-oci OUT --kubernetes V</c>: the release's images from upstream or its mirrors, under the platform's names.</summary>
    private static (IReadOnlyList<string>, IReadOnlyList<SaveImage>, Func<Reference, ImageSource>) Kubernetes(ParseResult parse, string version, HttpClient http)
    {
        if (parse.GetValue(ArchArgument) is not null || Given(parse, RegistryOption))
        {
            throw new UserException("--kubernetes takes its images from upstream: give architectures with --arch, mirrors with --mirror, and no <image> or --registry", ExitCodes.Usage);
        }

        var upstream = KubernetesVersion.TryParse(version, out var parsed) && parsed is not null ? KubeadmImages.Upstream(parsed) : null;
        if (upstream is null)
        {
            var near = NearestName.Of(version, KubeadmImages.KnownVersions) is { } n ? $" (did you mean {n}?)" : string.Empty;
            throw new UserException($"unknown Kubernetes release '{version}'{near}; known: {KubeadmImages.Coverage}", ExitCodes.Usage);
        }

        var platform = parse.GetValue(PlatformOption)!;
        if (!RepositoryName.TryParse(platform, out _) || platform.Contains('/', StringComparison.Ordinal))
        {
            throw new UserException($"invalid --platform '{platform}'", ExitCodes.Usage);
        }

        var registriesConf = parse.GetValue(RegistriesConfOption) is { } conf ? Wiring.RegistriesConf.Load(conf) : null;
        var registries = new Wiring.UpstreamRegistries(http, Wiring.UpstreamRegistries.ParseMirrors(parse.GetValue(MirrorOption) ?? []), registriesConf);
        var images = upstream.Select(i => new SaveImage(Reference.Parse(i.Source), $"{platform}/{i.Name}:{i.Tag}")).ToList();
        return (ParseArchitectures(parse.GetValue(ArchOption)!), images, registries.Resolve);
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static IReadOnlyList<string> ParseArchitectures(string text) => Architectures.ParseList(text)
        ?? throw new UserException($"unknown architecture in '{text}' (expected {string.Join(", ", Architectures.All)} or all)", ExitCodes.Usage);
}
