using System.Globalization;
using U7s.Registry.Access;

namespace U7s.Registry.Status;

/// <summary>The texts the status page and <c>u7s status</c> share, so both say the same thing.</summary>
public static class StatusFormat
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary><c>512 B</c>, <c>1.5 MiB</c>.</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {Units[unit]}");
    }

    /// <summary>UTC, to the second: <c>2025-01-31 12:00:00Z</c>; <c>-</c> when unknown.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>Who signed: <c>Name &lt;mail&gt; [FINGERPRINT]</c>, <c>unknown key</c>, or for bytes that are no signature at all, <c>nobody (corrupted signature)</c>.</summary>
    public static string Signer(SignatureStatus signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Unreadable)
        {
            return "nobody (corrupted signature)";
        }

        var who = string.IsNullOrEmpty(signature.Signer) ? null : signature.Signer;
        return (who, signature.Fingerprint) switch
        {
            (null, null) => "unknown key",
            (null, { } f) => f,
            ({ } w, null) => w,
            ({ } w, { } f) => $"{w} [{f}]",
        };
    }

    /// <summary>
    /// One line per signature: <c>signature-1 by … for registry.local/app:1: valid</c>, <c>…: invalid: reason</c>, or <c>signature-1: corrupted (…): reason</c> for bytes that do not parse; of an
    /// index's platform manifest, <c>signature-1 of sha256:… by …</c>.
    /// </summary>
    public static string Signature(SignatureStatus signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var claim = signature.Identity is null ? string.Empty : $" for {signature.Identity}";
        var of = signature.Manifest is null ? string.Empty : $" of {signature.Manifest}";
        if (signature.Unreadable)
        {
            // No key was ever asked: "unknown key" would send the admin looking for a key instead of a damaged file.
            return $"signature-{signature.Index}{of}: corrupted (not a readable OpenPGP signature): {signature.Reason}";
        }

        var verdict = signature.IsValid ? "valid" : $"invalid: {signature.Reason}";
        return $"signature-{signature.Index}{of} by {Signer(signature)}{claim}: {verdict}";
    }

    /// <summary><c>3d 4h</c>, <c>2h 5m</c>, <c>7m 12s</c>: how long the server runs.</summary>
    public static string Duration(TimeSpan span) =>
        span < TimeSpan.Zero ? "0s"
        : span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d {span.Hours}h")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.Hours}h {span.Minutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m {span.Seconds}s");

    /// <summary>
    /// The summary's facts, one line each, as the page and <c>u7s status</c> show them: the policy file, the program
    /// (<c>u7s 1.4.0, up 2h 5m (since …)</c>), the data root's disk. Trusted keys are <see cref="TrustedKey"/>.
    /// </summary>
    public static IReadOnlyList<string> Facts(RegistrySummary summary, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var disk = summary is { DiskTotalBytes: { } total, DiskFreeBytes: { } free }
            ? $"{Size(total - free)} used, {Size(free)} free of {Size(total)}"
            : "disk use unknown";
        return
        [
            $"policy file: {summary.PolicyPath ?? "none"}",
            $"u7s {summary.Version}, up {Duration(now - summary.StartedAt)} (since {Time(summary.StartedAt)})",
            $"data root {summary.DataRoot}: {disk}",
        ];
    }

    /// <summary><c>Name &lt;mail&gt; [FINGERPRINT]: registry.local, default</c>; a key only the authorization file names: <c>…: imagemaker (no policy scope)</c>.</summary>
    public static string TrustedKey(TrustedKeyStatus key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var who = string.IsNullOrEmpty(key.UserId) ? key.Fingerprint : $"{key.UserId} [{key.Fingerprint}]";
        return $"{who}: {(key.Scopes.Count == 0 ? "imagemaker (no policy scope)" : string.Join(", ", key.Scopes))}";
    }
}
