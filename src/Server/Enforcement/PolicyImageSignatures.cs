using System.Collections.Concurrent;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Registry.Access;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;

namespace U7s.Server.Enforcement;

/// <summary>
/// <see cref="IImageSignatures"/> by the one judge (<see cref="ImageJudge"/>), the way a node judges a pull (SPEC
/// §3.2): the image is named <c>&lt;scope host&gt;/&lt;repository&gt;:&lt;tag&gt;</c> (or <c>@digest</c>), its
/// manifest is the registry's own (<paramref name="manifests"/>), and the signatures that count are the served
/// tree's <c>signature-N</c> of that manifest, or, for an index, of each platform manifest it lists.
/// <para>
/// Reports are cached per image and manifest digest with the hash of the signature set they were
/// made from. A cached report is used as is for <c>recheckAfter</c>; after that, or after
/// <see cref="Invalidate"/> (a signature written through this process), the signatures are read
/// again, and only a different set, or another policy, is evaluated again.
/// </para>
/// <para>
/// Signature files are written by imagemakers and by anyone who can write the tree, so reading them is
/// bounded three ways: no more of a file than the largest signed message that could verify
/// (<see cref="TreeSignatures"/>, about 199 KiB, not the 4 MiB a client may read);
/// requests for one image that arrive while its report is being made wait for that one instead of
/// reading again; and at most <see cref="MaxConcurrentReads"/> images are read at a time. Memory for
/// signatures is then at most <see cref="MaxConcurrentReads"/> × 128 × 199 KiB (about 100 MiB) per
/// manifest that counts, however many requests come.
/// </para>
/// </summary>
internal sealed class PolicyImageSignatures(
    EnforcementPolicy policy, IManifestSource manifests, ISignatureSource signatures, IOpenPgp openPgp, string scopeHost, TimeProvider time, TimeSpan recheckAfter)
    : IImageSignatures, U7s.Registry.Status.ITrustedKeyList, IDisposable
{
    /// <summary>Images whose signatures are read at the same time; others wait their turn.</summary>
    public const int MaxConcurrentReads = 4;

    private const int MaxCached = 200_000;

    private readonly ConcurrentDictionary<(RepositoryName Repository, string? Tag, Digest Digest), Entry> _entries = new();
    private readonly ConcurrentDictionary<((RepositoryName Repository, string? Tag, Digest Digest) Image, long Generation), Task<SignatureReport>> _making = new();
    private readonly ImageEvidenceReader _reader = new(manifests, signatures);
    private readonly SemaphoreSlim _reads = new(MaxConcurrentReads, MaxConcurrentReads);
    private readonly long _recheckTicks = (long)(recheckAfter.TotalSeconds * time.TimestampFrequency);
    private long _generation;
    private long _signatureReads;

    /// <summary>The policy reports are made under.</summary>
    public EnforcementPolicy Policy => policy;

    /// <summary>How many times an image's signatures were read from the tree (for tests of the sharing).</summary>
    internal long SignatureReads => Interlocked.Read(ref _signatureReads);

    public async ValueTask<IReadOnlyList<U7s.Registry.Status.TrustedKeyStatus>> ListTrustedKeysAsync(CancellationToken cancellationToken) =>
        (await policy.CurrentAsync(cancellationToken)).TrustedKeys ?? [];

    /// <summary>Makes every cached report read its signatures again before it is used next.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    public async ValueTask<SignatureReport> ReportAsync(RepositoryName repository, Tag? tag, Digest digest, CancellationToken cancellationToken)
    {
        var current = await policy.CurrentAsync(cancellationToken);
        var key = (repository, tag?.Value, digest);
        var generation = Interlocked.Read(ref _generation);
        if (_entries.TryGetValue(key, out var cached) && cached.Policy == current && cached.Generation == generation && time.GetTimestamp() < cached.Until)
        {
            return cached.Report;
        }

        // One report in the making per image: whoever comes while it is made waits for it, unless this
        // process changed signatures since it began (then its reads may be older than the change). It runs
        // to the end whoever waits (its reads are bounded); each caller stops waiting when its request ends.
        var making = new TaskCompletionSource<SignatureReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _making.GetOrAdd((key, generation), making.Task);
        if (shared == making.Task)
        {
            _ = MakeAsync(key, tag, current, generation, cached, making);
        }

        return await shared.WaitAsync(cancellationToken);
    }

    public void Dispose() => _reads.Dispose();

    private async Task MakeAsync((RepositoryName Repository, string? Tag, Digest Digest) key, Tag? tag, PolicySnapshot current, long generation, Entry? cached, TaskCompletionSource<SignatureReport> making)
    {
        try
        {
            making.SetResult(await MakeReportAsync(key, tag, current, generation, cached));
        }
#pragma warning disable CA1031 // Not handled here: handed to every caller waiting for this report.
        catch (Exception e)
#pragma warning restore CA1031
        {
            making.SetException(e);
        }
        finally
        {
            _making.TryRemove(new KeyValuePair<((RepositoryName, string?, Digest), long), Task<SignatureReport>>((key, generation), making.Task));
        }
    }

    private async Task<SignatureReport> MakeReportAsync((RepositoryName Repository, string? Tag, Digest Digest) key, Tag? tag, PolicySnapshot current, long generation, Entry? cached)
    {
        var (repository, _, digest) = key;
        var now = time.GetTimestamp();
        var reference = Reference.TryParse($"{scopeHost}/{repository}{(tag is { } t ? ":" + t.Value : "@" + digest)}", out var r)
            ? r
            : throw new InvalidOperationException($"the scope host '{scopeHost}' does not make a reference with {repository}");
        ImageEvidence? evidence;
        await _reads.WaitAsync(CancellationToken.None);
        try
        {
            Interlocked.Increment(ref _signatureReads);
            // The manifest by its digest (what the registry is about to serve), judged under the reference as read.
            var manifest = await manifests.GetManifestOrNullAsync(AtDigest(repository, digest), CancellationToken.None);
            evidence = manifest is null ? null : await _reader.ReadAsync(reference, manifest, CancellationToken.None);
        }
        catch (Exception e) when (e is ImageJudgeException or ManifestSourceException || SignatureReadFailure.Is(e))
        {
            // Not cached: the next read tries the store again.
            return new SignatureReport(false, true, "-", [$"cannot read the signatures: {e.Message}"], []);
        }
        finally
        {
            _reads.Release();
        }

        if (evidence is null)
        {
            // Deleted since the registry looked it up: nothing to serve, nothing to cache.
            return new SignatureReport(false, true, "-", [$"the registry has no manifest {digest} in {repository}"], []);
        }

        var setHash = SetHash(evidence);
        var report = cached is not null && cached.Policy == current && cached.SetHash.AsSpan().SequenceEqual(setHash)
            ? cached.Report
            : await EvaluateAsync(current, reference, evidence, CancellationToken.None);
        if (_entries.Count >= MaxCached)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(current, generation, setHash, report, now + _recheckTicks);
        return report;
    }

    private async Task<SignatureReport> EvaluateAsync(PolicySnapshot current, Reference reference, ImageEvidence evidence, CancellationToken cancellationToken)
    {
        var evaluator = current.Evaluator;
        var verdict = await new ImageJudge(_reader, evaluator).EvaluateAsync(reference, evidence, cancellationToken);
        var requirements = evaluator.Policy.RequirementsFor(DockerReference.From(reference).WithDefaultTag()).Requirements;
        var requiresSignature = requirements.Any(q => q.Type != RequirementType.InsecureAcceptAnything);
        var verifier = new SignatureVerifier(openPgp, time);
        var statuses = new List<SignatureStatus>();
        foreach (var level in evidence.Levels)
        {
            var blobs = level.Signatures.Select(s => s.Content ?? []).ToList();
            var checks = await evaluator.CheckEachAsync(reference, level.Digest, blobs, cancellationToken);
            for (var i = 0; i < level.Signatures.Count; i++)
            {
                var signature = level.Signatures[i];
                if (signature.Content is null)
                {
                    statuses.Add(new SignatureStatus(signature.Index, null, null, null, false, signature.Problem, ManifestOf(evidence, level)));
                    continue;
                }

                // The policy's own check decides validity; a check against every known key names the signer and the claim even when the policy does not trust the key.
                var known = current.KnownKeys is null ? null : verifier.Check(signature.Content, current.KnownKeys, level.Digest, _ => true, cancellationToken);
                var own = checks?[i];
                var fingerprint = own?.SignerFingerprint ?? known?.SignerFingerprint;
                var signer = fingerprint is not null && current.UserIds.TryGetValue(fingerprint, out var userId) ? userId : null;
                var valid = own?.IsAccepted ?? known?.IsAccepted ?? false;
                var reason = own is not null ? own.Reason : known?.Reason ?? (current.KnownKeys is null ? "no key is known to check it" : null);
                statuses.Add(new SignatureStatus(signature.Index, signer, fingerprint, own?.Identity ?? known?.Identity, valid, valid ? null : reason, ManifestOf(evidence, level), (own ?? known)?.Unreadable ?? false));
            }
        }

        return policy.Path is null
            ? SignatureReport.NoPolicy with { Signatures = statuses }
            : new SignatureReport(verdict.IsAccepted, requiresSignature, verdict.Scope ?? "-", verdict.Reasons, statuses);
    }

    private Reference AtDigest(RepositoryName repository, Digest digest) =>
        Reference.TryParse($"{scopeHost}/{repository}@{digest}", out var r) ? r : throw new InvalidOperationException($"the scope host '{scopeHost}' does not make a reference with {repository}");

    /// <summary>For an index, which platform manifest a signature is of (nodes check those); null for a single manifest.</summary>
    private static string? ManifestOf(ImageEvidence evidence, ManifestSignatures level) => evidence.IsIndex ? level.Digest.ToString() : null;

    private static byte[] SetHash(ImageEvidence evidence)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var level in evidence.Levels)
        {
            hash.AppendData(System.Text.Encoding.ASCII.GetBytes(level.Digest.ToString()));
            foreach (var signature in level.Signatures)
            {
                var content = signature.Content ?? [];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, signature.Content is null ? -1 : content.Length);
                hash.AppendData(length);
                hash.AppendData(content);
            }
        }

        return hash.GetHashAndReset();
    }

    private sealed record Entry(PolicySnapshot Policy, long Generation, byte[] SetHash, SignatureReport Report, long Until);
}
