using System.CommandLine;
using U7s.Cluster.Kubeadm;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Oci;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s demo-archive &lt;out&gt; [--kubernetes vX.Y.Z] [--arch amd64]</c>: writes a small image
/// archive shaped like the distribution's <c>amd64_c10f1.tar.xz</c> (SPEC §1): the twelve
/// k8s-c10f1 images, the seven kubeadm needs tagged for the given Kubernetes release, with tiny
/// generated layers. Valid for load-sign-oci, pulls and the kubeadm preflight; the images do not run.
/// </summary>
internal static class DemoArchiveCommand
{
    private static readonly Argument<string> OutputArgument = new("out") { Description = "New archive file (*.tar.xz); must not exist" };
    private static readonly Option<string> KubernetesOption = new("--kubernetes") { DefaultValueFactory = _ => "v1.26.3", Description = "Kubernetes release the kubeadm images are tagged for" };
    private static readonly Option<string> ArchOption = new("--arch") { DefaultValueFactory = _ => "amd64", Description = $"Architecture directory: {string.Join(", ", Architectures.All)}" };
    private static readonly Option<string> PlatformOption = new("--platform") { DefaultValueFactory = _ => "k8s-c10f1", Description = "First component of every ref name" };

    public static Command Create()
    {
        var command = new Command("demo-archive", "Write a small k8s-c10f1-shaped image archive to try load-sign-oci without the real one");
        command.Arguments.Add(OutputArgument);
        command.Options.Add(KubernetesOption);
        command.Options.Add(ArchOption);
        command.Options.Add(PlatformOption);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var path = parse.GetValue(OutputArgument)!;
        var arch = parse.GetValue(ArchOption)!;
        var platform = parse.GetValue(PlatformOption)!;
        var versionText = parse.GetValue(KubernetesOption)!;
        if (!Architectures.IsKnown(arch))
        {
            throw new UserException($"unknown architecture '{arch}' (expected one of {string.Join(", ", Architectures.All)})", ExitCodes.Usage);
        }

        if (!RepositoryName.TryParse($"{platform}/pause", out _))
        {
            throw new UserException($"invalid --platform '{platform}' (expected a lowercase path component such as k8s-c10f1)", ExitCodes.Usage);
        }

        if (!KubernetesVersion.TryParse(versionText, out var version))
        {
            throw new UserException($"invalid --kubernetes '{versionText}' (expected a version such as v1.26.3)", ExitCodes.Usage);
        }

        var tags = KubeadmImages.DefaultTags(version!)
            ?? throw new UserException($"no built-in etcd, CoreDNS and pause tags for Kubernetes {version}; U7s knows {KubeadmImages.Coverage}", ExitCodes.Usage);
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new UserException($"'{path}' exists; demo-archive writes a new file only", ExitCodes.Usage);
        }

        var options = new GeneratorOptions
        {
            Architecture = arch,
            Platform = platform,
            Tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["kube-apiserver"] = version!.ToString(),
                ["kube-controller-manager"] = version.ToString(),
                ["kube-scheduler"] = version.ToString(),
                ["kube-proxy"] = version.ToString(),
                ["etcd"] = tags.Etcd,
                ["coredns"] = tags.CoreDns,
                ["pause"] = tags.Pause,
            },
        };
        GeneratedArchive archive;
        try
        {
            archive = await ArchiveGenerator.WriteAsync(path, options, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"cannot write '{path}': {e.Message}", ExitCodes.Unavailable);
        }

        foreach (var image in archive.Images)
        {
            await output.WriteLineAsync($"{arch}  {image.RefName}  {image.ManifestDigest}");
        }

        await output.WriteLineAsync(
            $"wrote {archive.Path} ({ByteSize.Format(new FileInfo(archive.Path).Length)}, {archive.Images.Count} images, {ByteSize.Format(archive.BlobBytes)} of blobs)");
        return ExitCodes.Success;
    }
}
