using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using U7s.Registry.Auth;
using U7s.Sigstore.Upload;

namespace U7s.Cli.Hosting;

/// <summary>
/// Registry logins against the htpasswd file (bcrypt, as docker-registry reads it). Clients send
/// Basic credentials with every request of a push, and bcrypt costs tens of milliseconds by design, so
/// a verified (user, password) is remembered until the file changes or a few minutes pass; only a
/// hash of the password is kept.
/// </summary>
internal sealed class HtpasswdCredentials(string? path, TimeProvider time) : ICredentialValidator
{
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (DateTime FileTime, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    // A reference, swapped whole: request threads read it concurrently.
    private Tuple<DateTime, bool>? _users;

    /// <summary>Asked on every anonymous version check (each pull starts with one): the file is read again only when it changed.</summary>
    public bool HasUsers
    {
        get
        {
            if (path is null || !File.Exists(path))
            {
                return false;
            }

            var fileTime = File.GetLastWriteTimeUtc(path);
            if (_users is { } known && known.Item1 == fileTime)
            {
                return known.Item2;
            }

            var hasUsers = File.ReadLines(path).Any(l => l.Contains(':', StringComparison.Ordinal));
            _users = Tuple.Create(fileTime, hasUsers);
            return hasUsers;
        }
    }

    public Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken)
    {
        if (path is null || !File.Exists(path))
        {
            return Task.FromResult(false);
        }

        var fileTime = File.GetLastWriteTimeUtc(path);
        var key = user + "\n" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(key, out var entry) && entry.FileTime == fileTime && entry.Until > now)
        {
            return Task.FromResult(true);
        }

        var valid = new HtpasswdFile(path).Check(user, password);
        if (valid)
        {
            _verified[key] = (fileTime, now + Remember);
        }
        else
        {
            _verified.TryRemove(key, out _);
        }

        return Task.FromResult(valid);
    }
}
