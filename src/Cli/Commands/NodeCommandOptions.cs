using System.CommandLine;
using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cli.Commands;

/// <summary>
/// The options every node verb shares (<c>--root</c> and the names node files refer to), the
/// privilege rule, and the mapping of <see cref="ClusterException"/> onto exit codes.
/// </summary>
internal sealed class NodeCommandOptions
{
    public Option<string> Root { get; } = new("--root")
    {
        Description = "Staging tree that plays the role of / (default: the node itself, which needs root). One rule for every path: what the verb installs or keeps on the node "
            + "(the files it writes, and --signers, --htpasswd, --data, --sigstore-root, --join-data) is a node path, taken inside this tree; "
            + "input it only reads once (--password-file, --passphrase-file, an archive) is a path on this machine",
        DefaultValueFactory = _ => "/",
    };

    public Option<bool> DryRun { get; } = new("--dry-run")
    {
        Description = "Print every file and directory this would create or change, every user and group and every program it would run; change nothing (needs no root)",
    };

    public NodeCommandOptions()
    {
        RegistryName.Validators.Add(result =>
        {
            if (!RegistryHostName.TryValidate(result.GetValueOrDefault<string>(), out var problem))
            {
                result.AddError(problem!);
            }
        });
        RegistryPort.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65535)
            {
                result.AddError($"--registry-port {port} is not a port");
            }
        });
    }

    public Option<string> RegistryName { get; } = new("--registry-name")
    {
        Description = "Registry host name (or IPv4 address) nodes pull from; the policy scope",
        DefaultValueFactory = _ => new ClusterOptions().RegistryName,
    };

    public Option<int?> RegistryPort { get; } = new("--registry-port")
    {
        Description = "Port of the registry when nodes do not pull from :80; image references and policy scopes then read name:port",
    };

    public Option<string> LookasideUrl { get; } = new("--lookaside-url")
    {
        Description = "Signature lookaside base URL written to registries.d",
        DefaultValueFactory = _ => new ClusterOptions().LookasideUrl,
    };

    public Option<string> KeysUrl { get; } = new("--keys-url")
    {
        Description = "Signature store key directory other nodes download from",
        DefaultValueFactory = _ => new ClusterOptions().KeysUrl,
    };

    public Option<string> Platform { get; } = new("--platform")
    {
        Description = "Image platform path under the registry",
        DefaultValueFactory = _ => new ClusterOptions().Platform,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        command.Options.Add(DryRun);
        command.Options.Add(RegistryName);
        command.Options.Add(RegistryPort);
        command.Options.Add(LookasideUrl);
        command.Options.Add(KeysUrl);
        command.Options.Add(Platform);
        Wiring.Login.LoginOptions.AddTo(command);
    }

    /// <summary>
    /// The login this run uses (<c>--authfile</c>, <c>--creds</c>, else the default auth files); the lookaside and key
    /// URLs answer to the registry's login, the one users have (<c>podman login registry.local</c>).
    /// </summary>
    public Wiring.Login.RegistryLogin Login(ParseResult parse)
    {
        var login = Wiring.Login.LoginOptions.Resolve(parse);
        foreach (var url in new[] { parse.GetValue(LookasideUrl), parse.GetValue(KeysUrl) })
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                login.Alias(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", RegistryScope(parse));
            }
        }

        return login;
    }

    public ClusterOptions Cluster(ParseResult parse)
    {
        var options = new ClusterOptions
        {
            RegistryName = RegistryScope(parse),
            LookasideUrl = parse.GetValue(LookasideUrl)!,
            KeysUrl = parse.GetValue(KeysUrl)!,
            Platform = parse.GetValue(Platform)!,
        };
        foreach (var url in new[] { options.LookasideUrl, options.KeysUrl })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new UserException($"not an http(s) URL: {url}");
            }
        }

        return options;
    }

    /// <summary>The registry as image references name it: <c>registry.local</c>, or <c>name:port</c> with <c>--registry-port</c>.</summary>
    public string RegistryScope(ParseResult parse) =>
        parse.GetValue(RegistryPort) is { } port ? $"{parse.GetValue(RegistryName)}:{port}" : parse.GetValue(RegistryName)!;

    /// <summary>A plan to record into instead of changing anything, with <c>--dry-run</c>; null otherwise.</summary>
    public ChangePlan? Plan(ParseResult parse) => parse.GetValue(DryRun) ? new ChangePlan() : null;

    /// <summary>What a <c>--dry-run</c> prints: each planned step, then that nothing was changed.</summary>
    public static IReadOnlyList<string> PlanReport(ChangePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Steps.Select(step => "would " + step), plan.Steps.Count == 0 ? "dry run: nothing would change" : "dry run: nothing was changed"];
    }

    /// <summary>The root; changing the real node (no <c>--root</c>) requires root privileges, a dry run does not.</summary>
    public NodeRoot NodeRoot(ParseResult parse, NodeEnvironment environment, bool requirePrivilege = true)
    {
        var root = new NodeRoot(parse.GetValue(Root)!);
        if (requirePrivilege && !parse.GetValue(DryRun) && root.IsHost && !environment.IsPrivileged())
        {
            throw new UserException("this changes the node: run as root, or give --root DIR to write a staging tree", ExitCodes.Refused);
        }

        if (!Directory.Exists(root.Path))
        {
            throw new UserException($"--root {root.Path}: no such directory");
        }

        return root;
    }

    /// <summary>
    /// Runs a node operation, printing its report lines; its refusals (<see cref="ClusterException"/>) reach
    /// <see cref="CliApp"/>, which prints them with their own line breaks (a preflight's list of problems).
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<Task<IReadOnlyList<string>>> operation, bool sayNothingToChange = true)
    {
        IReadOnlyList<string> report;
        try
        {
            report = await operation();
        }
        catch (UnauthorizedAccessException e)
        {
            // A read-only check (--dry-run) run without root meets a root-only file such as the join data.
            throw new UserException($"{e.Message} (run as root)", ExitCodes.Refused);
        }

        var output = parse.InvocationConfiguration.Output;
        foreach (var line in report)
        {
            // Reports may be several lines (a kubeadm config); what they quote from elsewhere was escaped where quoted.
            await output.WriteLineAsync(TerminalText.EscapeLines(line));
        }

        if (report.Count == 0 && sayNothingToChange)
        {
            await output.WriteLineAsync("nothing to change");
        }

        return ExitCodes.Success;
    }

    public static int ExitCodeOf(ClusterErrorKind kind) => kind switch
    {
        ClusterErrorKind.Usage => ExitCodes.Usage,
        ClusterErrorKind.InvalidInput => ExitCodes.InvalidInput,
        ClusterErrorKind.Refused => ExitCodes.Refused,
        ClusterErrorKind.Unavailable => ExitCodes.Unavailable,
        _ => ExitCodes.Failure,
    };
}
