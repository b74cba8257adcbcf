using System.Reflection;
using System.CommandLine;
using U7s.Server.Hosting;

namespace U7s.Cli.Commands;

/// <summary><c>u7s serve</c>: the registry (:80) and the signature store (:81) in one process.</summary>
internal static class ServeCommand
{
    private static readonly Option<FileInfo?> ConfigOption = new("--config") { Description = "Config file (u7s.json or u7s.yaml); U7S_ environment variables and flags override it" };
    private static readonly Option<string?> DataOption = new("--data") { Description = "Data root of the embedded storage (default /var/lib/u7s)" };
    private static readonly Option<string?> RegistryListenOption = new("--registry-listen") { Description = "Registry listen address host:port (default 0.0.0.0:80)" };
    private static readonly Option<string?> SigstoreListenOption = new("--sigstore-listen") { Description = "Signature store listen address host:port (default 0.0.0.0:81)" };
    private static readonly Option<string?> SigstoreRootOption = new("--sigstore-root") { Description = "Signature store tree (default /var/sigstore)" };
    private static readonly Option<string?> SignersOption = new("--signers") { Description = "Root-owned authorization file push and signing rights come from (Registry:Auth:Signers, default /etc/u7s/signers.json)" };

    public static Command Create()
    {
        var command = new Command("serve", "Run the registry (:80) and the signature store (:81)")
        {
            ConfigOption, DataOption, RegistryListenOption, SigstoreListenOption, SigstoreRootOption, SignersOption,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var flags = new Dictionary<string, string?>
        {
            ["Registry:DataRoot"] = Absolute(parse.GetValue(DataOption)),
            ["Registry:Listen"] = parse.GetValue(RegistryListenOption),
            ["Sigstore:Listen"] = parse.GetValue(SigstoreListenOption),
            ["Sigstore:Root"] = Absolute(parse.GetValue(SigstoreRootOption)),
            ["Registry:Auth:Signers"] = Absolute(parse.GetValue(SignersOption)),
        };
        // One ordered list of checks: settings, files, store, signers, policy, listeners; the first that fails is one line.
        var gate = new StartupLogGate();
        var error = parse.InvocationConfiguration.Error;
        await using var startup = new ServeStartup(parse.GetValue(ConfigOption)?.FullName, flags, configureLogging: gate.Configure, warn: w => error.WriteLine($"u7s: warning: {w}"), inlineSocketCompletions: Assembly.GetEntryAssembly() == typeof(ServeCommand).Assembly);
        await startup.RunAsync(cancellationToken);
        var host = startup.Host!;
        var (registry, _) = startup.ServeSettings;
        var output = parse.InvocationConfiguration.Output;
        gate.Open();
        // With enforcement on, the scope host decides which policy scope every pull is judged under: say it.
        var enforcing = registry.Enforce.Mode == U7s.Registry.Access.EnforceMode.Off
            ? string.Empty
            : $"; enforcement {registry.Enforce.Mode.ToString().ToLowerInvariant()} under {registry.Enforce.Policy}, images judged as {registry.Auth.ScopeHost}/<repository> (Registry:Auth:ScopeHost)";
        await output.WriteLineAsync($"u7s: registry on {host.RegistryListen}, signature store on {host.SigstoreListen}, data in {host.StorageDescription(registry)}{enforcing}");
        await output.FlushAsync(cancellationToken);
        await host.WaitAsync(cancellationToken);
        return ExitCodes.Success;
    }

    private static string? Absolute(string? path) => path is null ? null : Path.GetFullPath(path);
}
