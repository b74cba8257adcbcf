using U7s.Loader.Loading;

namespace U7s.Cli.Commands;

/// <summary>
/// The one mapping from loader failures onto <see cref="ExitCodes"/>. podsec used 1, 3, 5, 6, 7, 8
/// per check (SPEC §1.5); U7s keeps its product-wide codes and says which check failed in the message.
/// </summary>
internal static class LoaderExitCodes
{
    public static int For(LoadErrorKind kind) => kind switch
    {
        LoadErrorKind.Usage or LoadErrorKind.UnknownArchitecture or LoadErrorKind.InvalidTarget => ExitCodes.Usage,
        LoadErrorKind.UnsafeArchive or LoadErrorKind.MissingArchitecture or LoadErrorKind.InvalidLayout
            or LoadErrorKind.InvalidContent or LoadErrorKind.InvalidReference => ExitCodes.InvalidInput,
        LoadErrorKind.PlatformMismatch or LoadErrorKind.SignerUnusable or LoadErrorKind.PolicyRefuses or LoadErrorKind.VerificationFailed => ExitCodes.Refused,
        LoadErrorKind.Registry => ExitCodes.Unavailable,
        _ => ExitCodes.Failure,
    };

    public static UserException ToUserException(LoadException e) => new(e.Message, For(e.Kind));
}
