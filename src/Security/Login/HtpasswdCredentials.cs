using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Security.Login;

/// <summary>
/// Logins against the htpasswd file (bcrypt, as docker-registry reads it). Clients send Basic
/// credentials with every request of a push, and bcrypt costs tens of milliseconds by design, so a
/// verified (user, password) is remembered until the file changes or a few minutes pass; only a hash
/// of the password is kept. Anything else costs one bcrypt check, unknown users included
/// (<see cref="HtpasswdFile.Check"/>). A configured file means logins are on, even while it is
/// missing or empty: nothing then falls back to "this host writes without a login".
/// </summary>
public sealed class HtpasswdCredentials(string path, TimeProvider time) : ICredentialValidator
{
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (DateTime FileTime, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    private readonly HtpasswdFile _file = new(path);

    public bool HasUsers => true;

    public Task<bool> ValidateAsync(string user, string password, CancellationToken cancellationToken)
    {
        var (key, fileTime, now) = (KeyOf(user, password), File.GetLastWriteTimeUtc(path), time.GetUtcNow());
        if (IsRemembered(key, fileTime, now))
        {
            return Task.FromResult(true);
        }

        var valid = _file.Check(user, password);
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

    public bool IsRemembered(string user, string password) => IsRemembered(KeyOf(user, password), File.GetLastWriteTimeUtc(path), time.GetUtcNow());

    private bool IsRemembered(string key, DateTime fileTime, DateTimeOffset now) =>
        _verified.TryGetValue(key, out var entry) && entry.FileTime == fileTime && entry.Until > now;

    private static string KeyOf(string user, string password) => user + "\n" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
}
