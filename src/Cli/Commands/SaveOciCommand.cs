using System.CommandLine;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Saving;
using U7s.Oci;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s save-oci &lt;out&gt; &lt;arch&gt;[,&lt;arch&gt;…]|all &lt;image&gt;…</c>: writes images from a
/// registry in the archive format load-sign-oci reads (SPEC §1.7). <c>out</c> must not exist; a
/// name ending in <c>.tar.xz</c> gets one archive with a folder per architecture, anything else
/// becomes a directory with one <c>&lt;arch&gt;.tar.xz</c> per architecture.
/// </summary>
internal static class SaveOciCommand
{
    private static readonly Argument<string> OutputArgument = new("out") { Description = "New archive (*.tar.xz) or new directory for <arch>.tar.xz files" };
    private static readonly Argument<string> ArchArgument = new("arch") { Description = "Architectures, comma separated, or all" };
    private static readonly Argument<string[]> ImagesArgument = new("image") { Arity = ArgumentArity.OneOrMore, Description = "Images, e.g. registry.local/k8s-c10f1/pause:3.9" };
    private static readonly Option<string> RegistryOption = new("--registry") { DefaultValueFactory = _ => "http://registry.local", Description = "Registry URL images are read from" };
    private static readonly Option<string?> TempDirOption = new("--temp-dir") { Description = "Directory for decompressed layers" };

    public static Command Create()
    {
        var command = new Command("save-oci", "Write registry images into an image archive (uncompressed layers, multi-block xz)");
        command.Arguments.Add(OutputArgument);
        command.Arguments.Add(ArchArgument);
        command.Arguments.Add(ImagesArgument);
        command.Options.Add(RegistryOption);
        command.Options.Add(TempDirOption);
        Wiring.Login.LoginOptions.AddTo(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var path = parse.GetValue(OutputArgument)!;
        var archs = Architectures.ParseList(parse.GetValue(ArchArgument)!)
            ?? throw new UserException($"unknown architecture in '{parse.GetValue(ArchArgument)}' (expected {string.Join(", ", Architectures.All)} or all)", ExitCodes.Usage);
        var images = new List<Reference>();
        foreach (var value in parse.GetValue(ImagesArgument)!)
        {
            if (!Reference.TryParse(value, out var reference) || reference.Tag is null)
            {
                throw new UserException($"invalid image '{value}' (expected [host/]repository:tag)", ExitCodes.Usage);
            }

            images.Add(reference);
        }

        var registryText = parse.GetValue(RegistryOption)!;
        if (!Uri.TryCreate(registryText, UriKind.Absolute, out var registry) || registry.Scheme is not ("http" or "https"))
        {
            throw new UserException($"invalid --registry '{registryText}'", ExitCodes.Usage);
        }

        using var http = Wiring.RemoteHttp.Create(Timeout.InfiniteTimeSpan, Wiring.Login.LoginOptions.Resolve(parse));
        var request = new SaveRequest
        {
            OutputPath = path,
            SingleFile = path.EndsWith(".tar.xz", StringComparison.Ordinal),
            Architectures = archs,
            Images = images,
            TemporaryRoot = parse.GetValue(TempDirOption),
        };
        try
        {
            var result = await LoaderConsole.RunWithProgressAsync(
                output,
                $"saving {Path.GetFileName(path)}",
                progress => new ArchiveSaver(new RegistryClient(http, registry), progress).SaveAsync(request, cancellationToken));
            LoaderConsole.WriteRows(
                output,
                ["Arch", "Ref name", "Digest", "Layers"],
                [.. result.Images.Select(image => new[] { image.Architecture, image.RefName, image.ManifestDigest.ToString(), image.Rewritten ? "layers decompressed" : "layers as stored" })]);
            foreach (var file in result.Files)
            {
                await output.WriteLineAsync($"wrote {file} ({ByteSize.Format(new FileInfo(file).Length)})");
            }

            return ExitCodes.Success;
        }
        catch (LoadException e)
        {
            throw LoaderExitCodes.ToUserException(e);
        }
    }
}
