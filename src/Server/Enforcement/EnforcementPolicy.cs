using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using U7s.Oci.Policy;
using U7s.Registry.Status;
using U7s.Security.Files;
using U7s.Security.Signers;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;

namespace U7s.Server.Enforcement;

/// <summary>
/// The registry's copy of a node policy (<c>Registry:Enforce:Policy</c>), kept current: at most once per
/// <c>recheckAfter</c> the policy file, the key files it names and the authorization document
/// (<c>Auth:Signers</c>) are checked and, when anything changed, read again. A policy that no longer
/// parses keeps the last good one in force, logged as an error: an edit in progress never opens the registry.
/// <para>
/// The keys that name signers on the status page, and that make a signature "valid" where the policy
/// asks for none, are the trusted ones only: the policy's own keys and the imagemakers' keys in the
/// authorization document, both written by root. The served <c>keys/</c> is writable by every imagemaker,
/// so it is never read here: a key published there proves nothing, and its user id is whatever its
/// publisher chose. Nothing an imagemaker writes can make a reload happen either; and a reload parses
/// only keys it has not parsed before (parsed keys are kept by content).
/// </para>
/// <paramref name="name"/> is what messages call the policy: the setting, or the flag the value came from.
/// </summary>
internal sealed partial class EnforcementPolicy(string? path, ISignerSource? signers, IOpenPgp openPgp, TimeProvider time, TimeSpan recheckAfter, ILogger logger, string name = SignatureEnforcement.PolicySetting)
{
    private int _reloading;
    private PolicySnapshot? _current;
    private long _checkedAt;

    /// <summary>Keys parsed by the last read, by the SHA-256 of their bytes.</summary>
    private Dictionary<string, IReadOnlyList<OpenPgpKeyInfo>> _parsed = new(StringComparer.Ordinal);

    private static readonly PolicyDocument RejectEverything = new([PolicyRequirement.Reject], new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>());

    private static readonly PolicyDocument AcceptAnything = new([PolicyRequirement.InsecureAcceptAnything], new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>());

    /// <summary>The policy file; null when none is configured (every image is accepted, and reports say "no policy").</summary>
    public string? Path { get; } = path;

    /// <summary>What messages call the policy.</summary>
    public string Name { get; } = name;

    /// <summary>Reads the policy the first time; MUST throw <see cref="PolicyException"/> when it cannot be read or parsed.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stamp = await StampAsync(null, firstRead: true, cancellationToken);
        _current = await ReadAsync(stamp, cancellationToken);
        if (TrustProblem(_current.Evaluator.Policy) is { } problem)
        {
            throw new PolicyException(problem);
        }

        _checkedAt = time.GetTimestamp();
    }

    /// <summary>The policy in force: the loaded one, re-read first when <c>recheckAfter</c> has passed and its files changed.</summary>
    public async ValueTask<PolicySnapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = _current ?? throw new InvalidOperationException("the enforcement policy is not loaded");
        if (time.GetElapsedTime(Volatile.Read(ref _checkedAt)) < recheckAfter || Interlocked.CompareExchange(ref _reloading, 1, 0) != 0)
        {
            // Fresh, or another request is checking right now: the current policy stands meanwhile.
            return current;
        }

        try
        {
            var stamp = await StampAsync(current.Evaluator.Policy, firstRead: false, cancellationToken);
            if (stamp.Text != current.Stamp)
            {
                try
                {
                    var next = await ReadAsync(stamp, cancellationToken);
                    if (TrustProblem(next.Evaluator.Policy) is { } problem)
                    {
                        // Fail closed: the last good policy would read the same key files, which others can now change.
                        next = new PolicySnapshot(new PolicyEvaluator(RejectEverything, openPgp, time), null, new Dictionary<string, string>(), stamp.Text);
                        Log.Untrusted(logger, Path ?? "-", problem);
                    }
                    else
                    {
                        Log.Reloaded(logger, Path ?? "-");
                    }

                    _current = next;
                }
                catch (PolicyException e)
                {
                    Log.Invalid(logger, Path ?? "-", e.Message);
                }
            }
        }
        catch (Exception e) when (SignatureReadFailure.Is(e))
        {
            // The authorization document could not be read (a store outage): keep what is known, and check again later.
            Log.Unchecked(logger, Path ?? "-", e.Message);
        }
        finally
        {
            Volatile.Write(ref _checkedAt, time.GetTimestamp());
            Volatile.Write(ref _reloading, 0);
        }

        return _current;
    }

    private async Task<PolicySnapshot> ReadAsync(Stamp stamp, CancellationToken cancellationToken)
    {
        var evaluator = Path is null ? new PolicyEvaluator(AcceptAnything, openPgp, time) : await PolicyEvaluator.LoadAsync(Path, openPgp, time, cancellationToken);
        var keyrings = new List<byte[]>();
        foreach (var requirement in Requirements(evaluator.Policy))
        {
            if (requirement.KeyData is { } data)
            {
                keyrings.Add(data);
            }

            foreach (var keyPath in requirement.KeyPaths ?? [])
            {
                if (TryRead(keyPath) is { } bytes)
                {
                    keyrings.Add(bytes);
                }
            }
        }

        // The imagemakers' keys as root registered them; armored text, read as given.
        keyrings.AddRange((stamp.Signers?.Keys.Values ?? []).Select(Encoding.UTF8.GetBytes));
        if (stamp.SignersProblem is { } problem)
        {
            Log.NoSigners(logger, problem);
        }

        var now = time.GetUtcNow();
        var parsed = new Dictionary<string, IReadOnlyList<OpenPgpKeyInfo>>(StringComparer.Ordinal);
        var readable = new List<ReadOnlyMemory<byte>>();
        var primaries = new HashSet<string>(StringComparer.Ordinal);
        var userIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyring in keyrings)
        {
            var id = Convert.ToHexString(SHA256.HashData(keyring));
            if (!parsed.TryGetValue(id, out var keys) && !_parsed.TryGetValue(id, out keys))
            {
                try
                {
                    keys = openPgp.ReadPublicKeys(keyring, now);
                }
                catch (OpenPgpException)
                {
                    // An unreadable keyring names no signer; the policy's own verdict reports it where it matters.
                    continue;
                }
            }

            parsed[id] = keys;
            readable.Add(keyring);
            foreach (var key in keys)
            {
                primaries.Add(key.Fingerprint);
                foreach (var fingerprint in key.SigningSubkeyFingerprints.Prepend(key.Fingerprint))
                {
                    userIds.TryAdd(fingerprint, key.UserIds.Count > 0 ? key.UserIds[0] : string.Empty);
                }
            }
        }

        _parsed = parsed;
        var known = readable.Count == 0 ? null : TrustedKeyring.Create(readable, primaries);
        return new PolicySnapshot(evaluator, known, userIds, stamp.Text, TrustedKeys(evaluator.Policy, stamp, parsed));
    }

    /// <summary>Every key the policy or the authorization document trusts, with the scopes the policy trusts it for.</summary>
    private static List<TrustedKeyStatus> TrustedKeys(PolicyDocument policy, Stamp stamp, Dictionary<string, IReadOnlyList<OpenPgpKeyInfo>> parsed)
    {
        var keys = new Dictionary<string, (string UserId, SortedSet<string> Scopes)>(StringComparer.Ordinal);
        void Add(byte[]? keyring, string? scope)
        {
            if (keyring is null || !parsed.TryGetValue(Convert.ToHexString(SHA256.HashData(keyring)), out var infos))
            {
                return;
            }

            foreach (var info in infos)
            {
                if (!keys.TryGetValue(info.Fingerprint, out var entry))
                {
                    entry = (info.UserIds.Count > 0 ? info.UserIds[0] : string.Empty, new SortedSet<string>(StringComparer.Ordinal));
                    keys[info.Fingerprint] = entry;
                }

                if (scope is not null)
                {
                    entry.Scopes.Add(scope);
                }
            }
        }

        var scoped = policy.Default.Select(r => ("default", r)).Concat(policy.Transports.SelectMany(t => t.Value.SelectMany(
            s => s.Value.Select(r => (t.Key == "docker" ? s.Key : $"{t.Key} {s.Key}", r)))));
        foreach (var (scope, requirement) in scoped)
        {
            Add(requirement.KeyData, scope);
            foreach (var keyPath in requirement.KeyPaths ?? [])
            {
                Add(TryRead(keyPath), scope);
            }
        }

        foreach (var key in stamp.Signers?.Keys.Values ?? [])
        {
            Add(Encoding.UTF8.GetBytes(key), null);
        }

        return keys.Select(k => new TrustedKeyStatus(k.Key, k.Value.UserId, [.. k.Value.Scopes]))
            .OrderBy(k => k.UserId, StringComparer.Ordinal).ThenBy(k => k.Fingerprint, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Size and time of the policy file and of each key file it names, and the imagemakers' keys of the
    /// authorization document: what a reload would read. The document is read here (it is small, and on S3
    /// it has no time to compare), so a reload uses the copy its stamp was made from.
    /// </summary>
    private async Task<Stamp> StampAsync(PolicyDocument? policy, bool firstRead, CancellationToken cancellationToken)
    {
        var stamp = new StringBuilder();
        void Add(string file)
        {
            var info = new FileInfo(file);
            // Whether others can change it counts too: a chmod alone leaves size and time as they were.
            var trusted = TrustedFile.Problem(file, file) is null ? string.Empty : " untrusted";
            stamp.Append(CultureInfo.InvariantCulture, $"{file}:{(info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks}" : "-")}{trusted}\n");
        }

        if (Path is not null)
        {
            Add(Path);

            // Before the first read: parse it to learn the key files (a bad file throws here, at start).
            policy ??= (await PolicyEvaluator.LoadAsync(Path, openPgp, time, cancellationToken)).Policy;
        }

        policy ??= AcceptAnything;

        foreach (var keyPath in Requirements(policy).SelectMany(r => r.KeyPaths ?? []).Distinct(StringComparer.Ordinal))
        {
            Add(keyPath);
        }

        var (document, problem) = await ReadSignersAsync(firstRead, cancellationToken);
        if (problem is not null)
        {
            stamp.Append(CultureInfo.InvariantCulture, $"signers unusable: {problem}\n");
        }

        foreach (var (user, key) in document?.Keys ?? new Dictionary<string, string>())
        {
            stamp.Append(CultureInfo.InvariantCulture, $"signer {user}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}\n");
        }

        return new Stamp(stamp.ToString(), document, problem);
    }

    /// <summary>
    /// The authorization document, or null when there is none, or with the reason it grants nothing
    /// (malformed, or writable by others: the servers refuse it then too). A read that fails for a passing
    /// reason (a store outage) throws, so the keys known so far stay; on the first read that is a reason too.
    /// </summary>
    private async Task<(SignersDocument? Document, string? Problem)> ReadSignersAsync(bool firstRead, CancellationToken cancellationToken)
    {
        if (signers is null)
        {
            return (null, null);
        }

        try
        {
            return (await signers.ReadOrNullAsync(cancellationToken), null);
        }
        catch (Exception e) when (e is InvalidDataException || (firstRead && SignatureReadFailure.Is(e)))
        {
            return (null, $"{signers.Description}: {e.Message}");
        }
    }

    private static IEnumerable<PolicyRequirement> Requirements(PolicyDocument policy) =>
        policy.Default.Concat(policy.Transports.Values.SelectMany(scopes => scopes.Values.SelectMany(r => r)));

    /// <summary>
    /// The policy and the keys it trusts decide what every node may pull: as for <c>Auth:Signers</c>, only
    /// files no one but root (or the service user) can change count; the served <c>keys/</c> (group
    /// <c>podman_dev</c>) never does. Null when the policy file and every key file it names pass.
    /// </summary>
    private string? TrustProblem(PolicyDocument policy)
    {
        if (Path is null)
        {
            return null;
        }

        var files = Requirements(policy).SelectMany(r => r.KeyPaths ?? []).Distinct(StringComparer.Ordinal).Select(k => (k, $"{Name} key file")).Prepend((Path, Name));
        foreach (var (file, what) in files)
        {
            if (TrustedFile.Problem(file, what) is { } problem)
            {
                return problem + "; give the keys as keyData, or copy them to a root-owned directory such as /etc/u7s/keys";
            }
        }

        return null;
    }

    private static byte[]? TryRead(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What a reload would read, as text to compare, and the authorization document read for it.</summary>
    private sealed record Stamp(string Text, SignersDocument? Signers, string? SignersProblem);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The status page names no imagemaker: {Problem}")]
        public static partial void NoSigners(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "Enforcement policy {Path} changed and was read again")]
        public static partial void Reloaded(ILogger logger, string path);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Enforcement policy {Path} could not be checked for changes: {Problem}")]
        public static partial void Unchecked(ILogger logger, string path, string problem);

        [LoggerMessage(Level = LogLevel.Error, Message = "Enforcement policy {Path} trusts files others can change; every manifest is refused until fixed: {Problem}")]
        public static partial void Untrusted(ILogger logger, string path, string problem);

        [LoggerMessage(Level = LogLevel.Error, Message = "Enforcement policy {Path} is not valid; the previous one stays in force: {Problem}")]
        public static partial void Invalid(ILogger logger, string path, string problem);
    }
}
