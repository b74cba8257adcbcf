using System.Text;

namespace U7s.Security.Login;

/// <summary>An HTTP Basic <c>Authorization</c> header (RFC 7617), parsed once for both ports.</summary>
public static class BasicCredentials
{
    /// <summary>
    /// False when the header is absent, not Basic, not base64, or has no <c>:</c>. The user may come back
    /// empty: containers/image sends <c>Basic Og==</c> (":") when it has no credentials for a Basic challenge.
    /// </summary>
    public static bool TryParse(string? header, out string user, out string password)
    {
        user = password = string.Empty;
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
