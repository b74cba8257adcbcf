using System.CommandLine;
using U7s.Cli.Loading;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Preflight;
using U7s.Loader.Registry;
using U7s.Sigstore.Keys;
using U7s.Sigstore.Manifests;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s load-sign-oci &lt;archive&gt; &lt;arch&gt; &lt;signer-email&gt; [registry/path]</c>: loads an
/// image archive (SPEC §1) into the registry byte-exact, signs every image with the imagemaker's
/// key from <c>--key-dir</c> into <c>--sigstore-root</c> and verifies it under <c>--policy</c>.
/// Pushes over HTTP to <c>--registry</c>, or with <c>--data</c> writes straight into the registry's
/// store on this host (safe while <c>u7s serve</c> runs on it). Never prompts, except for the key's
/// passphrase when stdin is a terminal and no <c>--passphrase-file</c> is given; every failure is
/// one line with an exit code from <see cref="LoaderExitCodes"/>.
/// </summary>
internal static class LoadSignOciCommand
{
    private static readonly Argument<string> ArchiveArgument = new("archive") { Description = "Image archive (tar.xz with an <arch>/ OCI layout)" };
    private static readonly Argument<string> ArchArgument = new("arch") { Description = $"Architecture directory to load: {string.Join(", ", Architectures.All)}" };
    private static readonly Argument<string> SignerArgument = new("signer-email") { Description = "E-mail of the imagemaker's signing key" };
    private static readonly Argument<string?> TargetArgument = new("registry/path") { Arity = ArgumentArity.ZeroOrOne, Description = "Optional target host/path (default registry.local/<platform>)" };

    private static readonly Option<string> RegistryOption = new("--registry") { DefaultValueFactory = _ => "http://registry.local", Description = "Registry URL images are pushed to" };
    private static readonly Option<bool> YesOption = new("--yes", "-y") { Description = "Accepted for podsec compatibility; U7s never prompts" };
    private static readonly Option<string?> PassphraseFileOption = new("--passphrase-file") { Description = "File holding the signing key's passphrase" };
    private static readonly Option<string> MaxExpandedOption = new("--max-expanded-size")
    {
        DefaultValueFactory = _ => "auto",
        Description = $"Refuse archives that decompress to more than this (e.g. 4G, 512M); auto: {LoadRequest.AutoExpansionRatio} times the archive's size, at least {ByteSize.Format(LoadRequest.AutoExpansionFloor)}",
    };
    private static readonly Option<string> PlatformOption = new("--platform") { DefaultValueFactory = _ => "k8s-c10f1", Description = "Configured platform (first ref-name component)" };
    private static readonly Option<string?> ArchivePlatformOption = new("--archive-platform") { Description = "Re-home images of this archive platform under the target" };
    private static readonly Option<string> SignerGroupOption = new("--signer-group") { DefaultValueFactory = _ => GroupCheck.DefaultGroup, Description = "Group whose members may push and sign (root always may)" };
    private static readonly Option<string?> TempDirOption = new("--temp-dir") { Description = "Directory for blobs that arrive before their manifest" };
    private static readonly Option<string?> DataOption = new("--data") { Description = "Write straight into the registry store at this data root (this host's /var/lib/u7s) instead of pushing to --registry" };
    private static readonly Option<string> KeyDirOption = new("--key-dir") { DefaultValueFactory = _ => SignerKeyStore.DefaultDirectory(), Description = "Directory of the signer's secret keys (as for u7s keys)" };
    private static readonly Option<string> SigstoreRootOption = new("--sigstore-root") { DefaultValueFactory = _ => "/var/sigstore", Description = "Signature store tree; signatures go to <root>/sigstore" };
    private static readonly Option<string> PolicyOption = new("--policy") { DefaultValueFactory = _ => "/etc/containers/policy.json", Description = "Node policy every loaded image is verified against" };
    private static readonly Option<string?> RootOption = new("--root")
    {
        Description = "Registry node staged in this tree (create-policy --root): --policy, --sigstore-root and the policy's key paths are node paths taken inside it; "
            + "--key-dir, --passphrase-file and the archive are paths on this machine",
    };

    public static Command Create(LoaderServices services)
    {
        var command = new Command("load-sign-oci", "Load an image archive into the registry, sign and verify every image");
        command.Arguments.Add(ArchiveArgument);
        command.Arguments.Add(ArchArgument);
        command.Arguments.Add(SignerArgument);
        command.Arguments.Add(TargetArgument);
        command.Options.Add(RegistryOption);
        command.Options.Add(YesOption);
        command.Options.Add(PassphraseFileOption);
        command.Options.Add(MaxExpandedOption);
        command.Options.Add(PlatformOption);
        command.Options.Add(ArchivePlatformOption);
        command.Options.Add(SignerGroupOption);
        command.Options.Add(TempDirOption);
        command.Options.Add(DataOption);
        command.Options.Add(KeyDirOption);
        command.Options.Add(SigstoreRootOption);
        command.Options.Add(PolicyOption);
        command.Options.Add(RootOption);
        Wiring.Login.LoginOptions.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, services, ct));
        return command;
    }

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(30);

    private static async Task<int> RunAsync(ParseResult parse, LoaderServices services, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        // SPEC §1.5 order: hosts (1), caller (2), archive (3), architecture (4), target (5).
        var registry = ParseRegistry(parse.GetValue(RegistryOption)!);
        var dataRoot = parse.GetValue(DataOption);
        if (dataRoot is null && registry.Host == HostCheck.RegistryHost)
        {
            // Pushing to the node's own registry name: both names must point at this host (SPEC §1.5 row 1).
            foreach (var host in new[] { HostCheck.RegistryHost, HostCheck.SigstoreHost })
            {
                if (await HostCheck.ProblemOrNullAsync(host, cancellationToken) is { } problem)
                {
                    throw new UserException(problem, ExitCodes.Refused);
                }
            }
        }

        var group = parse.GetValue(SignerGroupOption)!;
        if (!Environment.IsPrivilegedProcess && !GroupCheck.IsMember(Environment.UserName, group))
        {
            throw new UserException($"user {Environment.UserName} may not push and sign: not a member of group {group}", ExitCodes.Refused);
        }

        var archive = parse.GetValue(ArchiveArgument)!;
        var arch = parse.GetValue(ArchArgument)!;
        var email = parse.GetValue(SignerArgument)!;
        if (!File.Exists(archive))
        {
            throw new UserException($"archive '{archive}' does not exist or is not a file", ExitCodes.Usage);
        }

        if (!Architectures.IsKnown(arch))
        {
            throw new UserException($"unknown architecture '{arch}' (expected one of {string.Join(", ", Architectures.All)})", ExitCodes.Usage);
        }

        var maxExpandedText = parse.GetValue(MaxExpandedOption)!;
        var maxExpanded = maxExpandedText == "auto"
            ? (long?)null
            : ByteSize.Parse(maxExpandedText) ?? throw new UserException($"invalid --max-expanded-size '{maxExpandedText}' (expected auto or a size such as 4G)", ExitCodes.Usage);
        var passphraseFile = parse.GetValue(PassphraseFileOption);
        if (passphraseFile is not null && !File.Exists(passphraseFile))
        {
            throw new UserException($"passphrase file '{passphraseFile}' does not exist", ExitCodes.Usage);
        }

        try
        {
            var names = NameMapper.Create(parse.GetValue(TargetArgument), parse.GetValue(PlatformOption)!, parse.GetValue(ArchivePlatformOption));
            var staged = StagedRoot(parse.GetValue(RootOption));
            var sigstoreRoot = Wiring.SigstoreTrees.Normalize(InTree(staged, parse.GetValue(SigstoreRootOption)!));
            var policyPath = InTree(staged, parse.GetValue(PolicyOption)!);
            var signer = services.Signer?.Invoke(new SignerSettings(email, passphraseFile, parse.GetValue(KeyDirOption)!, sigstoreRoot))
                ?? throw new UserException("signer key not usable: no OpenPGP signer is available in this build", ExitCodes.Refused);
            using var http = Wiring.RemoteHttp.Create(Timeout.InfiniteTimeSpan, Wiring.Login.LoginOptions.Resolve(parse));
            await using var local = dataRoot is null ? null : OpenLocalStore(dataRoot);
            var client = new RegistryClient(http, registry);
            IImageSink sink = local?.Sink ?? new RegistryHttpSink(client);
            IManifestSource manifests = local?.Manifests ?? new HttpManifestSource(http, registry);
            var verifier = services.Verifier?.Invoke(new VerifierSettings(registry, policyPath, sigstoreRoot, manifests, staged))
                ?? throw new UserException("no image verifier is available in this build; refusing to load unverifiable images", ExitCodes.Refused);
            if (local is null)
            {
                await PingAsync(client, cancellationToken);
            }

            var request = new LoadRequest
            {
                ArchivePath = archive,
                Architecture = arch,
                Names = names,
                MaxExpandedBytes = maxExpanded,
                TemporaryRoot = parse.GetValue(TempDirOption),
            };
            var result = await LoaderConsole.RunWithProgressAsync(
                output,
                $"loading {Path.GetFileName(archive)} ({ByteSize.Format(new FileInfo(archive).Length)}) into {(dataRoot is null ? registry.ToString() : Path.GetFullPath(dataRoot))}",
                progress => new ArchiveLoader(sink, signer, verifier, progress).LoadAsync(request, cancellationToken));
            PrintSummary(output, result);
            var failed = result.Images.Where(i => i.Verification is not { IsAccepted: true }).ToList();
            if (failed.Count > 0)
            {
                throw new UserException(
                    $"verification failed: {ImageProblems.Format(failed.Select(f => (f.Image.Target.ToString(), f.Verification?.Reason ?? "not verified")))}",
                    LoaderExitCodes.For(LoadErrorKind.VerificationFailed));
            }

            return ExitCodes.Success;
        }
        catch (LoadException e)
        {
            throw LoaderExitCodes.ToUserException(e);
        }
    }

    private static Cluster.Files.NodeRoot? StagedRoot(string? root)
    {
        if (root is null)
        {
            return null;
        }

        return Directory.Exists(root) ? new Cluster.Files.NodeRoot(root) : throw new UserException($"--root {root}: no such directory");
    }

    // A node path of the staged tree (an s3:// signature tree is no path and stays as given).
    private static string InTree(Cluster.Files.NodeRoot? root, string nodePath)
    {
        if (root is null || Wiring.SigstoreTrees.IsS3(nodePath))
        {
            return nodePath;
        }

        try
        {
            return root.Resolve(nodePath);
        }
        catch (Cluster.ClusterException e)
        {
            throw new UserException($"--root {root.Path}: {e.Message}");
        }
    }

    /// <summary>The registry must answer before the archive is read; bounded, as the push itself is not.</summary>
    private static async Task PingAsync(RegistryClient client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await client.PingAsync(timeout.Token);
        }
        catch (RegistryException e)
        {
            throw new UserException($"the registry {client.BaseUri} does not answer: {e.Message}", ExitCodes.Unavailable);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UserException($"the registry {client.BaseUri} does not answer: GET /v2/ got no answer in {PingTimeout.TotalSeconds:0} s", ExitCodes.Unavailable);
        }
    }

    private static LocalRegistryStore OpenLocalStore(string dataRoot)
    {
        try
        {
            return LocalRegistryStore.Open(dataRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"cannot use the data root: {e.Message}", ExitCodes.Unavailable);
        }
    }

    private static Uri ParseRegistry(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            throw new UserException($"invalid --registry '{value}' (expected e.g. http://registry.local)", ExitCodes.Usage);
        }

        return uri;
    }

    private static void PrintSummary(TextWriter output, LoadResult result)
    {
        var rows = result.Images.Select(image => new[]
        {
            image.Image.Target + (image.Image.Additional ? " (additional)" : string.Empty),
            image.Digest.ToString(),
            image.Signature is { } s ? $"signature-{s.SignatureIndex}{(s.Existing ? " (existing)" : string.Empty)}" : "unsigned",
            image.Verification switch
            {
                { IsAccepted: true, Reason: null } => "verified",
                { IsAccepted: true } => "accepted, unchecked",
                _ => "NOT VERIFIED",
            },
        }).ToList();
        LoaderConsole.WriteRows(output, ["Image", "Digest", "Signature", "Verification"], rows);

        // An accepted image with a reason was let through without a signature check (insecureAcceptAnything).
        foreach (var warning in result.Images.Where(i => i.Verification is { IsAccepted: true, Reason: not null }).Select(i => i.Verification!.Reason!).Distinct(StringComparer.Ordinal))
        {
            output.WriteLine($"warning: {TerminalText.Escape(warning)}");
        }

        output.WriteLine(
            $"{result.Images.Count} images; blobs: {result.BlobsSent} sent ({ByteSize.Format(result.BytesSent)}), {result.BlobsMounted} mounted, "
            + $"{result.BlobsPresent} already present; archive expanded to {ByteSize.Format(result.ExpandedBytes)}; signer {result.Signer}");
    }
}
