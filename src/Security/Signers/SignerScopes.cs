using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Oci.Policy;

namespace U7s.Security.Signers;

/// <summary>
/// Which imagemaker may sign (and push) what, from the authorization document of <see cref="ISignerSource"/>
/// (root-owned; see <see cref="U7s.Security.Signers.SignersDocument"/>), as <c>u7s create-imagemakeruser user@path</c>
/// writes it. One rule for signature uploads on :81 and pushes on :80. The served <c>keys/</c> are
/// copies for nodes and never read here.
/// </summary>
public sealed partial class SignerScopes(ISignerSource source, ILogger<SignerScopes>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Where nodes find the published copy of the policy in the served tree.</summary>
    public const string PolicyPath = "keys/policy.json";

    /// <summary>The rights now; <see cref="SignerRights.None"/> (logged) when the document is absent, invalid or unsafe.</summary>
    public async Task<SignerRights> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var document = await source.ReadOrNullAsync(cancellationToken);
            return document is null
                ? SignerRights.None
                : new SignerRights(PolicyParser.Parse(System.Text.Encoding.UTF8.GetBytes(document.PolicyJson)), document.Keys);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or PolicyException)
        {
            Log.Unusable(_logger, source.Description, e.Message);
            return SignerRights.None;
        }
    }

    /// <summary>True when the scope that decides <paramref name="identity"/> lists <paramref name="user"/>'s key.</summary>
    public async Task<bool> MaySignAsync(string user, DockerReference identity, CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken)).MaySign(user, identity);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Imagemaker rights are off: {Source}: {Reason}")]
        public static partial void Unusable(ILogger logger, string source, string reason);
    }
}
