using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Http;
using U7s.Registry.Status;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Security.Signers;
using U7s.Server.Enforcement;
using U7s.Server.Hosting;
using U7s.Sigstore.Store;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s status</c>: the status page's table in the terminal, from a running registry
/// (<c>--registry-url</c>, reading <c>/ui/status.json</c>) or from the store itself (<c>--data</c> or
/// <c>--config</c>, as <c>u7s gc</c> reads it, with the signature tree and the policy).
/// </summary>
internal static class StatusCommand
{
    // The http(s) base URL option of sign and verify: here the running registry whose /ui/status.json is read.
    private static readonly Option<Uri?> RegistryUrlOption = SignCommand.RegistryUrlOption;

    private static readonly Option<FileInfo?> ConfigOption = new("--config") { Description = "Config file, as for serve" };
    private static readonly Option<string?> DataOption = new("--data") { Description = "Data root (default /var/lib/u7s)" };
    private static readonly Option<string?> SigstoreRootOption = new("--sigstore-root") { Description = "Signature store tree (default /var/sigstore)" };
    private static readonly Option<string?> PolicyOption = new("--policy")
    {
        Description = "Judge with this node policy.json (default: Registry:Enforce:Policy); with --registry-url, as this node pulls: manifests from the registry, signatures from the lookaside registries.d names",
    };
    private static readonly Option<string?> RepositoryOption = new("--repository") { Description = "Only repositories whose name contains this" };
    private static readonly Option<string?> SignerOption = new("--signer") { Description = "Only images with a signature whose signer user id or fingerprint contains this" };
    private static readonly Option<string?> UserOption = new("--user") { Description = "Log in to --registry-url as this user (when pulls need a login)" };
    private static readonly Option<string?> PasswordFileOption = new("--password-file") { Description = "The --user's password, from this file" };
    private static readonly Option<bool> NoEventsOption = new("--no-events") { Description = "Print only the images, not the recent changes" };

    /// <summary>Largest <c>/ui/status.json</c> read: some hundred thousand images' rows, far past any registry of podsec nodes.</summary>
    private const int MaxStatusBytes = 64 * 1024 * 1024;

    public static Command Create()
    {
        var command = new Command("status", "List images, their signatures and the node policy's verdict (refused first); exit 4 when any image is refused")
        {
            RegistryUrlOption, ConfigOption, DataOption, SigstoreRootOption, PolicyOption, RepositoryOption, SignerOption, UserOption, PasswordFileOption, NoEventsOption,
        };
        Wiring.Login.LoginOptions.AddTo(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(RegistryUrlOption) is not null && (parse.GetValue(DataOption) is not null || parse.GetValue(ConfigOption) is not null))
        {
            throw new UserException("--registry-url reads a running registry: --data and --config are for reading the store itself");
        }

        if ((parse.GetValue(UserOption) is null) != (parse.GetValue(PasswordFileOption) is null))
        {
            throw new UserException("--user and --password-file go together");
        }

        var filter = new StatusFilter(parse.GetValue(RepositoryOption), parse.GetValue(SignerOption));
        var policy = Absolute(parse.GetValue(PolicyOption));
        string? verdictsBy = null;
        RegistryStatus status;
        if (parse.GetValue(RegistryUrlOption) is { } url)
        {
            using var http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(2), await LoginAsync(parse, cancellationToken));
            status = await FetchAsync(http, url, filter, cancellationToken);
            if (policy is not null)
            {
                status = await JudgeHereAsync(http, url, status, policy, cancellationToken);
                verdictsBy = $"verdicts under this node's policy {policy}";
            }
        }
        else
        {
            status = await CollectAsync(parse, filter, cancellationToken);
        }

        StatusTable.Write(parse.InvocationConfiguration.Output, status, verdictsBy, events: !parse.GetValue(NoEventsOption));

        // As verify does: scripts and monitoring learn of a refused image from the exit code alone.
        return status.Images.Any(i => !i.Allowed) ? ExitCodes.Refused : ExitCodes.Success;
    }

    /// <summary><c>--user</c> with <c>--password-file</c>, else <c>--authfile</c>, <c>--creds</c> or the default auth files.</summary>
    private static async Task<Wiring.Login.RegistryLogin> LoginAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(UserOption) is not { } user)
        {
            return Wiring.Login.LoginOptions.Resolve(parse);
        }

        if (parse.GetValue(Wiring.Login.LoginOptions.CredsOption) is not null || parse.GetValue(Wiring.Login.LoginOptions.AuthFileOption) is not null)
        {
            throw new UserException("--user and --password-file exclude --creds and --authfile");
        }

        var passwordFile = parse.GetValue(PasswordFileOption)!;
        if (!File.Exists(passwordFile))
        {
            throw new UserException($"password file '{passwordFile}' does not exist");
        }

        var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).TrimEnd('\r', '\n');
        return Wiring.Login.RegistryLogin.With(new Wiring.Login.RegistryCredential(user, password));
    }

    /// <summary>
    /// The registry's rows with this node's verdicts: each tagged image judged as a pull here judges it (the manifest
    /// from <paramref name="registry"/>, named by its host as the policy scopes are; signatures from the lookaside
    /// this node's registries.d names; the keys <paramref name="policy"/> names).
    /// </summary>
    private static async Task<RegistryStatus> JudgeHereAsync(HttpClient http, Uri registry, RegistryStatus status, string policy, CancellationToken cancellationToken)
    {
        if (!File.Exists(policy))
        {
            throw new UserException($"--policy {policy} does not exist");
        }

        var judge = new Wiring.NodeImageJudge(http, new U7s.Cluster.Files.NodeRoot("/"), TimeProvider.System, registry, policyFile: policy);
        var host = registry.IsDefaultPort ? registry.Host : registry.Authority;
        var images = new List<ImageStatus>(status.Images.Count);
        foreach (var image in status.Images)
        {
            var name = image.Tag.Length > 0 ? $"{host}/{image.Repository}:{image.Tag}" : $"{host}/{image.Repository}@{image.Digest}";
            // The rows are the server's: a name or digest that does not parse is refused, never trusted or thrown.
            if (!Reference.TryParse(name, out var reference) || !Digest.TryParse(image.Digest, out var digest))
            {
                images.Add(image with { Allowed = false, Verdict = $"refused: not an image name and digest: {name} {image.Digest}" });
                continue;
            }

            try
            {
                var verdict = (await judge.JudgeAsync(reference, cancellationToken)).Expecting(digest, reference);
                var scope = verdict.Scope is null ? string.Empty : $" (scope {verdict.Scope})";
                images.Add(image with { Allowed = verdict.IsAccepted, Verdict = verdict.IsAccepted ? $"accepted{scope}" : $"refused{scope}: {verdict.Reason}" });
            }
            catch (U7s.Oci.Policy.ImageJudgeException e)
            {
                images.Add(image with { Allowed = false, Verdict = $"refused: {e.Message}" });
            }
        }

        return status with { HasPolicy = true, Images = images };
    }

    private static async Task<RegistryStatus> FetchAsync(HttpClient http, Uri registry, StatusFilter filter, CancellationToken cancellationToken)
    {
        var query = $"?repository={Uri.EscapeDataString(filter.Repository ?? string.Empty)}&signer={Uri.EscapeDataString(filter.Signer ?? string.Empty)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, "/ui/status.json" + query));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new UserException($"{registry} needs a login to read its status: give --authfile (or --user and --password-file)", ExitCodes.Refused);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new UserException($"{registry} answered {(int)response.StatusCode} for its status", ExitCodes.Unavailable);
            }

            var body = await BoundedBody.ReadOrNullAsync(response.Content, MaxStatusBytes, cancellationToken)
                ?? throw new UserException($"{registry} sent a status larger than {MaxStatusBytes / (1024 * 1024)} MiB", ExitCodes.Unavailable);
            return JsonSerializer.Deserialize(body, StatusJsonContext.Default.RegistryStatus)
                ?? throw new UserException($"{registry} sent an empty status", ExitCodes.Unavailable);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new UserException($"cannot read the status of {registry}: {e.Message}", ExitCodes.Unavailable);
        }
    }

    private static async Task<RegistryStatus> CollectAsync(ParseResult parse, StatusFilter filter, CancellationToken cancellationToken)
    {
        var flags = new Dictionary<string, string?>
        {
            ["Registry:DataRoot"] = Absolute(parse.GetValue(DataOption)),
            ["Sigstore:Root"] = Absolute(parse.GetValue(SigstoreRootOption)),
            ["Registry:Enforce:Policy"] = Absolute(parse.GetValue(PolicyOption)),
        };
        var settings = ServeConfiguration.Load(parse.GetValue(ConfigOption)?.FullName, flags);
        var (registry, sigstore) = settings;
        using var s3 = await settings.OpenS3OrNullAsync(cancellationToken);
        if (s3 is null && !Directory.Exists(registry.DataRoot))
        {
            throw new UserException($"data root '{registry.DataRoot}' does not exist");
        }

        ISignerSource signers = s3 is null ? new SignersFile(registry.Auth.Signers) : new S3SignersSource(s3.Bucket);
        var policyName = parse.GetValue(PolicyOption) is null ? SignatureEnforcement.PolicySetting : "--policy";
        var enforcement = new SignatureEnforcement(registry, s3?.Tree ?? new FileSystemSigstoreTree(sigstore.Root), signers, policyName);
        var collection = new ServiceCollection();
        enforcement.Register(s3?.AddRegistryStorage(collection) ?? collection);
        await using var services = collection.AddRegistry(registry).BuildServiceProvider();
        await SignatureEnforcement.LoadAsync(services, cancellationToken);
        return await services.GetRequiredService<StatusCollector>().CollectAsync(filter, cancellationToken);
    }

    private static string? Absolute(string? path) => path is null ? null : Path.GetFullPath(path);
}
