using System.CommandLine;

namespace U7s.Cli.Wiring.Login;

/// <summary>
/// <c>--authfile</c> and <c>--creds</c>, as podman and skopeo take them, on every verb that talks to a registry or
/// a signature store. <c>--authfile</c> is the one to prefer: <c>--creds</c> puts the password where other users
/// of the machine can read it (the process list, shell history).
/// </summary>
internal static class LoginOptions
{
    public static readonly Option<string?> AuthFileOption = new("--authfile")
    {
        Description = "Logins from this containers-auth.json file (as podman login --authfile writes it); default: REGISTRY_AUTH_FILE, "
            + "$XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json, ~/.docker/config.json",
    };

    public static readonly Option<string?> CredsOption = new("--creds")
    {
        Description = "USER:PASSWORD for every server this run talks to (visible in the process list: prefer --authfile)",
    };

    public static void AddTo(Command command)
    {
        command.Options.Add(AuthFileOption);
        command.Options.Add(CredsOption);
    }

    /// <summary>The login this run uses; a bad <c>--creds</c> or auth file is a one-line usage error that never quotes a secret.</summary>
    public static RegistryLogin Resolve(ParseResult parse)
    {
        var creds = parse.GetValue(CredsOption);
        var authFile = parse.GetValue(AuthFileOption);
        if (creds is not null && authFile is not null)
        {
            throw new UserException("--creds and --authfile exclude each other");
        }

        if (creds is not null)
        {
            return RegistryLogin.With(RegistryCredential.ParseOrNull(creds) ?? throw new UserException("--creds takes USER:PASSWORD (no password prompt: prefer --authfile)"));
        }

        try
        {
            return RegistryLogin.FromFiles(authFile);
        }
        catch (AuthFileException e)
        {
            throw new UserException(e.Message);
        }
    }
}
