using U7s.Oci;

namespace U7s.Cluster.Users;

/// <summary>
/// One <c>user[@scope]</c> argument of <c>create-imagemakeruser</c>: the account and the policy scope
/// its key signs for (<c>registry.local</c> by default, or a namespace such as
/// <c>registry.local/k8s-c10f1</c>).
/// </summary>
public sealed record ImagemakerSpec(string User, string Scope)
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="ClusterException"/> (Usage) when malformed.</summary>
    public static ImagemakerSpec Parse(string text, string defaultScope)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var user = at < 0 ? text : text[..at];
        var scope = at < 0 ? defaultScope : text[(at + 1)..];
        if (!Accounts.AccountNames.IsValid(user))
        {
            throw new ClusterException($"not a valid user name: {user}", ClusterErrorKind.Usage);
        }

        var slash = scope.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? scope : scope[..slash];
        var validHost = host.Length > 0 && (host.Contains('.', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal) || host == "localhost")
            && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':');
        if (!validHost || (slash >= 0 && !RepositoryName.TryParse(scope[(slash + 1)..], out _)))
        {
            throw new ClusterException($"not a registry scope (host[/namespace]): {scope}", ClusterErrorKind.Usage);
        }

        return new ImagemakerSpec(user, scope);
    }
}
