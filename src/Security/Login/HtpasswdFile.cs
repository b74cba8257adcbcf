using System.Collections.Concurrent;
using System.Globalization;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;

namespace U7s.Security.Login;

/// <summary>
/// Basic-auth credentials from an htpasswd file with bcrypt hashes (<c>user:$2y$…</c>, as
/// <c>htpasswd -B</c> writes and docker-registry reads). Other hash kinds never match. The file is
/// read on each check so edits apply without a restart. A name that is not in the file (or has no
/// usable hash) costs one bcrypt check too, against a dummy hash of the file's own cost, so the answer
/// time does not tell which names are users.
/// </summary>
public sealed class HtpasswdFile : ICredentialValidator
{
    /// <summary>The cost <see cref="Set"/> writes, and the dummy's cost in a file without a usable hash.</summary>
    public const int DefaultCost = 10;

    private static readonly ConcurrentDictionary<int, string> Dummies = new();
    private readonly string _path;
    private readonly Func<string, string, bool> _verify;

    public HtpasswdFile(string path)
        : this(path, Bcrypt)
    {
    }

    /// <param name="verify">Checks a password (second) against a bcrypt hash (first); tests observe the work done through it.</param>
    internal HtpasswdFile(string path, Func<string, string, bool> verify)
    {
        _path = path;
        _verify = verify;
    }

    /// <summary>A file is configured: logins are on, even while it lists nobody.</summary>
    bool ICredentialValidator.HasUsers => true;

    Task<bool> ICredentialValidator.ValidateAsync(string user, string password, CancellationToken cancellationToken) => Task.FromResult(Check(user, password));

    /// <summary>Never: this file keeps no verified logins, every login is a check.</summary>
    bool ICredentialValidator.IsRemembered(string user, string password) => false;

    /// <summary>True when <paramref name="user"/> exists with a bcrypt hash that <paramref name="password"/> matches; one bcrypt check either way.</summary>
    public bool Check(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        string? hash = null;
        var cost = -1;
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var candidate = line[(colon + 1)..].Trim();
            var candidateCost = CostOf(candidate);
            if (line[..colon] == user)
            {
                hash = candidateCost > 0 ? candidate : null;
                cost = candidateCost > 0 ? candidateCost : cost;
                break;
            }

            cost = cost > 0 ? cost : candidateCost;
        }

        if (hash is null)
        {
            _ = _verify(Dummies.GetOrAdd(cost > 0 ? cost : DefaultCost, DummyHash), password);
            return false;
        }

        return _verify(hash, password);
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

        var hash = OpenBsdBCrypt.Generate("2y", password.ToCharArray(), SecureRandom.GetNextBytes(new SecureRandom(), 16), DefaultCost);
        var path = _path;
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

    /// <summary>The cost of a well-formed <c>$2a$</c>/<c>$2b$</c>/<c>$2y$</c> hash, or -1.</summary>
    private static int CostOf(string hash)
    {
        if (hash.Length != 60 || !(hash.StartsWith("$2y$", StringComparison.Ordinal) || hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal))
            || hash[6] != '$' || !int.TryParse(hash.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var cost) || cost is < 4 or > 31)
        {
            return -1;
        }

        return cost;
    }

    private static string DummyHash(int cost) =>
        OpenBsdBCrypt.Generate("2y", Guid.NewGuid().ToString().ToCharArray(), SecureRandom.GetNextBytes(new SecureRandom(), 16), cost);

    private static bool Bcrypt(string hash, string password)
    {
        try
        {
            return OpenBsdBCrypt.CheckPassword(hash, password.ToCharArray());
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
