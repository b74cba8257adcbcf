using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Security.Writers;

namespace U7s.Registry.Access;

/// <summary>
/// Signature enforcement on manifest reads (<see cref="EnforceOptions"/>). A manifest read by tag or
/// digest passes when the node policy accepts the image as a node's pull would (<see cref="IImageSignatures"/>:
/// an index by the signatures of its platform manifests, a platform manifest read by digest by its own).
/// Otherwise <see cref="EnforceMode.Enforce"/> refuses with
/// 403 DENIED naming what is missing, and <see cref="EnforceMode.Warn"/> serves, logs and counts.
/// Only manifests are judged: blobs, signatures and keys stay readable, pushes are never blocked, and a
/// logged-in user who may push to the repository reads its manifests unjudged (to sign what was pushed).
/// </summary>
internal sealed partial class ManifestAccessGate(
    RegistryOptions options, IImageSignatures signatures, IWriteAccess writers, RegistryMetrics metrics, TimeProvider time, ILogger<ManifestAccessGate> logger)
{
    private const int MaxMessage = 2000;

    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, long> _lastLogged = new(StringComparer.Ordinal);

    public bool IsOff => options.Enforce.Mode == EnforceMode.Off;

    /// <summary>
    /// Decides on serving <paramref name="digest"/>, read as <paramref name="reference"/> (a tag or a
    /// digest) by <paramref name="user"/> (null when anonymous); MUST throw <see cref="OciException"/> DENIED to refuse.
    /// </summary>
    public async ValueTask CheckAsync(RepositoryName repository, string reference, Digest digest, string? user, CancellationToken cancellationToken)
    {
        if (IsOff)
        {
            return;
        }

        Tag? tag = Tag.TryParse(reference, out var t) ? t : null;
        var report = await signatures.ReportAsync(repository, tag, digest, cancellationToken);
        if (report.IsAllowed)
        {
            metrics.ManifestAccess(report.RequiresSignature ? "signed" : "unchecked");
            return;
        }

        if (user is not null && await writers.MayWriteAsync(user, repository, cancellationToken))
        {
            metrics.ManifestAccess("writer");
            return;
        }

        var what = tag is null ? $"{repository}@{digest}" : $"{repository}:{tag}";
        var message = $"{options.Auth.ScopeHost}/{what} has no signature the registry's policy accepts ({report.Summary})";
        if (options.Enforce.Mode == EnforceMode.Warn)
        {
            metrics.ManifestAccess("warned");
            if (ShouldLog(what))
            {
                Log.Warned(logger, what, report.Summary);
            }

            return;
        }

        metrics.ManifestAccess("denied");
        if (ShouldLog(what))
        {
            Log.Denied(logger, what, report.Summary);
        }

        // The reason goes into the message itself: skopeo, podman and crictl print only the message.
        throw new OciException(OciErrorCode.Denied, message) { WireMessage = ClientMessage($"refused by the registry's signature enforcement: {message}") };
    }

    /// <summary>
    /// The refusal as clients print it, raw, on the user's terminal: the reasons quote what signatures claim (an
    /// imagemaker's text), so control and format characters (escapes, line breaks, bidi overrides) become <c>?</c>;
    /// many bad signatures make many reasons, so it is cut at <see cref="MaxMessage"/> characters.
    /// </summary>
    internal static string ClientMessage(string message) => InertText.OneLine(message, MaxMessage);

    // Once a minute per image: a client retrying a refused pull must not flood the log.
    private bool ShouldLog(string what)
    {
        var now = time.GetTimestamp();
        var last = _lastLogged.GetOrAdd(what, 0);
        if (last != 0 && time.GetElapsedTime(last, now) < LogEvery)
        {
            return false;
        }

        if (_lastLogged.Count > 10_000)
        {
            _lastLogged.Clear();
        }

        _lastLogged[what] = now;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused manifest {Image}: {Verdict}")]
        public static partial void Denied(ILogger logger, string image, string verdict);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Served manifest {Image} that enforcement would refuse: {Verdict}")]
        public static partial void Warned(ILogger logger, string image, string verdict);
    }
}
