using Org.BouncyCastle.Crypto.Generators;

namespace U7s.Sigstore.Upload;

/// <summary>
/// Basic-auth credentials from an htpasswd file with bcrypt hashes (<c>user:$2y$…</c>, as
/// <c>htpasswd -B</c> writes and docker-registry reads). Other hash kinds never match. The file is
/// read on each check so edits apply without a restart.
/// </summary>
public sealed class HtpasswdFile(string path)
{
    /// <summary>True when <paramref name="user"/> exists with a bcrypt hash that <paramref name="password"/> matches.</summary>
    public bool Check(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon] != user)
            {
                continue;
            }

            var hash = line[(colon + 1)..].Trim();
            if (hash.Length != 60 || !(hash.StartsWith("$2y$", StringComparison.Ordinal) || hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal)))
            {
                return false;
            }

            try
            {
                return OpenBsdBCrypt.CheckPassword(hash, password.ToCharArray());
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        return false;
    }
}
