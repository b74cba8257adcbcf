using System.Net.Http.Headers;

namespace U7s.Cli.Wiring.Login;

/// <summary>
/// A registry's <c>WWW-Authenticate</c>: <c>Basic realm=…</c>, or the distribution token flow's
/// <c>Bearer realm="https://auth…/token",service="…",scope="repository:name:pull"</c>.
/// </summary>
internal sealed record AuthChallenge(bool IsBearer, Uri? Realm, string? Service, IReadOnlyList<string> Scopes)
{
    public static AuthChallenge Basic { get; } = new(false, null, null, []);

    /// <summary>The first Bearer challenge (tokens are preferred), else Basic; null when neither is offered.</summary>
    public static AuthChallenge? Parse(HttpHeaderValueCollection<AuthenticationHeaderValue> header)
    {
        AuthChallenge? basic = null;
        foreach (var value in header)
        {
            if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                var parameters = Parameters(value.Parameter ?? string.Empty);
                var realm = parameters.GetValueOrDefault("realm") is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
                var scopes = parameters.GetValueOrDefault("scope") is { Length: > 0 } scope ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
                return new AuthChallenge(true, realm, parameters.GetValueOrDefault("service"), scopes);
            }

            if (value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                basic = Basic;
            }
        }

        return basic;
    }

    /// <summary>RFC 7235 auth-params: <c>name=token</c> or <c>name="quoted \" string"</c>, comma separated.</summary>
    private static Dictionary<string, string> Parameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length && result.Count < 16)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = text[i..equals].Trim();
            i = equals + 1;
            var value = new System.Text.StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            result.TryAdd(name, value.ToString().Trim());
        }

        return result;
    }
}
