using System.CommandLine;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using U7s.Oci;
using U7s.S3;
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
        var settings = ServeConfiguration.Load(parse.GetValue(ConfigOption)?.FullName, flags);
        var (registry, sigstore) = settings;
        var output = parse.InvocationConfiguration.Output;
        foreach (var warning in settings.Warnings)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"u7s: warning: {warning}");
        }

        var gate = new StartupLogGate();
        ServerHost host;
        try
        {
            host = new ServerHost(registry, sigstore, gate.Configure, settings.S3);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UserException($"cannot create the data directories: {e.Message}", ExitCodes.Unavailable);
        }

        await using var _ = host;
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (ListenProblem(e) is { } problem)
        {
            throw new UserException(problem, ExitCodes.Unavailable);
        }
        catch (StorageException e)
        {
            throw new UserException(e.Message, ExitCodes.Unavailable);
        }

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

    // Kestrel reports a port in use as an IOException ("Failed to bind to address …"), but a port below
    // 1024 without the privilege (EACCES) as the bare SocketException.
    private static string? ListenProblem(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AccessDenied } =>
            $"cannot listen: {e.Message} (ports below 1024 need root or CAP_NET_BIND_SERVICE; or give --registry-listen/--sigstore-listen with a higher port)",
        SocketException => $"cannot listen: {e.Message}",
        IOException { InnerException: SocketException or AddressInUseException } => $"cannot listen: {e.Message}",
        _ => null,
    };

    private static string? Absolute(string? path) => path is null ? null : Path.GetFullPath(path);
}
