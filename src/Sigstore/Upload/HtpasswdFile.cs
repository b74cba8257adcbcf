using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;

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

    /// <summary>
    /// Adds <paramref name="user"/> with a bcrypt hash of <paramref name="password"/> (cost 10, <c>$2y$</c>,
    /// what <c>htpasswd -B</c> writes), replacing an earlier line of that user; the file is rewritten
    /// through a temp file and a rename, mode 0640, so a reader never sees half of it.
    /// </summary>
    public void Set(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        if (user.Contains(':', StringComparison.Ordinal) || user.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"user name '{user}' cannot hold ':' or a line break", nameof(user));
        }

        var hash = OpenBsdBCrypt.Generate("2y", password.ToCharArray(), SecureRandom.GetNextBytes(new SecureRandom(), 16), 10);
        var lines = File.Exists(path) ? File.ReadAllLines(path).Where(l => !l.StartsWith(user + ":", StringComparison.Ordinal)).ToList() : [];
        lines.Add($"{user}:{hash}");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        File.WriteAllLines(temp, lines);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        File.Move(temp, path, overwrite: true);
    }
}
