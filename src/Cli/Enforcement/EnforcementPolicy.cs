using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using U7s.Oci.Auth;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Enforcement;

/// <summary>
/// The registry's copy of a node policy (<c>Registry:Enforce:Policy</c>), kept current: at most once per
/// <c>recheckAfter</c> the policy file, the key files it names and the published keys are checked
/// (size and time of each) and, when anything changed, read again. A policy that no longer parses
/// keeps the last good one in force, logged as an error: an edit in progress never opens the registry.
/// Without a policy file only the published keys are read, to name the signers on the status page.
/// </summary>
internal sealed partial class EnforcementPolicy(string? path, ISigstoreTree tree, IOpenPgp openPgp, TimeProvider time, TimeSpan recheckAfter, ILogger logger)
{
    private const string KeysDirectory = "keys";
    private const int MaxKeyBytes = 1024 * 1024;

    private int _reloading;
    private PolicySnapshot? _current;
    private long _checkedAt;

    private static readonly PolicyDocument RejectEverything = new([PolicyRequirement.Reject], new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>());

    private static readonly PolicyDocument AcceptAnything = new([PolicyRequirement.InsecureAcceptAnything], new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>>>());

    /// <summary>The policy file; null when none is configured (every image is accepted, and reports say "no policy").</summary>
    public string? Path { get; } = path;

    /// <summary>Reads the policy the first time; MUST throw <see cref="PolicyException"/> when it cannot be read or parsed.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stamp = await StampAsync(null, cancellationToken);
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
            var stamp = await StampAsync(current.Evaluator.Policy, cancellationToken);
            if (stamp != current.Stamp)
            {
                try
                {
                    var next = await ReadAsync(stamp, cancellationToken);
                    if (TrustProblem(next.Evaluator.Policy) is { } problem)
                    {
                        // Fail closed: the last good policy would read the same key files, which others can now change.
                        next = new PolicySnapshot(new PolicyEvaluator(RejectEverything, openPgp, time), null, new Dictionary<string, string>(), stamp);
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
            // The published keys could not be listed (a store outage): keep what is known, and check again later.
            Log.Unchecked(logger, Path ?? "-", e.Message);
        }
        finally
        {
            Volatile.Write(ref _checkedAt, time.GetTimestamp());
            Volatile.Write(ref _reloading, 0);
        }

        return _current;
    }

    private async Task<PolicySnapshot> ReadAsync(string stamp, CancellationToken cancellationToken)
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

        foreach (var name in await PublishedKeyNamesAsync(cancellationToken))
        {
            if (await tree.ReadAllOrNullAsync($"{KeysDirectory}/{name}", MaxKeyBytes, cancellationToken) is { } bytes)
            {
                keyrings.Add(bytes);
            }
        }

        var now = time.GetUtcNow();
        var userIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyring in keyrings)
        {
            try
            {
                foreach (var key in openPgp.ReadPublicKeys(keyring, now))
                {
                    foreach (var fingerprint in key.SigningSubkeyFingerprints.Prepend(key.Fingerprint))
                    {
                        userIds.TryAdd(fingerprint, key.UserIds.Count > 0 ? key.UserIds[0] : string.Empty);
                    }
                }
            }
            catch (OpenPgpException)
            {
                // An unreadable keyring names no signer; the policy's own verdict reports it where it matters.
            }
        }

        TrustedKeyring? known;
        try
        {
            known = keyrings.Count == 0 ? null : TrustedKeyring.Load(openPgp, keyrings, now);
        }
        catch (OpenPgpException)
        {
            known = null;
        }

        return new PolicySnapshot(evaluator, known, userIds, stamp);
    }

    /// <summary>Size and time of the policy file, of each key file it names, and of each published key: what a reload would read.</summary>
    private async Task<string> StampAsync(PolicyDocument? policy, CancellationToken cancellationToken)
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

        foreach (var entry in await PublishedKeysAsync(cancellationToken))
        {
            stamp.Append(CultureInfo.InvariantCulture, $"keys/{entry.Name}:{entry.Length}@{entry.LastModified.UtcTicks}\n");
        }

        return stamp.ToString();
    }

    private async Task<IEnumerable<string>> PublishedKeyNamesAsync(CancellationToken cancellationToken) =>
        (await PublishedKeysAsync(cancellationToken)).Select(e => e.Name);

    private async Task<IReadOnlyList<SigstoreTreeEntry>> PublishedKeysAsync(CancellationToken cancellationToken) =>
        ((await tree.ListDirectoryOrNullAsync(KeysDirectory, cancellationToken)) ?? [])
            .Where(e => !e.IsDirectory && e.Name.EndsWith(".pgp", StringComparison.Ordinal))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();

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

        var files = Requirements(policy).SelectMany(r => r.KeyPaths ?? []).Distinct(StringComparer.Ordinal).Select(k => (k, "Registry:Enforce:Policy key file")).Prepend((Path, "Registry:Enforce:Policy"));
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

    private static partial class Log
    {
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
