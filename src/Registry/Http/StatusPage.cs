using System.Text.Encodings.Web;
using U7s.Oci;
using U7s.Registry.Status;

namespace U7s.Registry.Http;

/// <summary>
/// The status page as one self-contained HTML document: inline styles, no script, a GET form for the
/// filters, so it reads the same in any browser, offline, without JavaScript. Every value from the
/// store (repository names, tags, signer user ids, claimed identities, audit users) is attacker-
/// controlled and goes through <see cref="HtmlEncoder"/>; only this file's literals are raw HTML.
/// </summary>
internal static class StatusPage
{
    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.5em 0 .4em}
        .meta{color:#555;margin:0 0 1em}
        form{margin:0 0 1em}form label{margin-right:1em}input{font:inherit;padding:2px 4px}
        table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#f0f0f0}tr.refused td.verdict{color:#a00;font-weight:600}tr.accepted td.verdict{color:#060}
        code{font:12px ui-monospace,monospace;word-break:break-all}
        ul.sigs{margin:0;padding-left:1.1em}li.valid{color:#060}li.invalid{color:#a00}
        .none{color:#777;font-style:italic}ul#facts{padding-left:1.1em}table#keys{width:auto;margin:0 0 1em}#summary{font-size:1.1em}tr.blobs td{color:#555;font-style:italic}.signer{color:#333}
        """;

    // Letters of every script pass as they are (the page is UTF-8; user ids such as "Иван Петров" stay
    // readable in the source too); markup characters, quotes and control characters are still escaped.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static void Write(TextWriter w, RegistryStatus status)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(status);
        w.Write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        w.Write("<title>U7s registry: images and signatures</title><style>");
        w.Write(Style);
        w.Write("</style></head><body>\n<h1>Images and signatures</h1>\n<p class=\"meta\">");
        var refused = status.Images.Count(i => !i.Allowed);
        w.Write("<strong id=\"summary\">");
        Text(w, $"{status.Images.Count} image(s): {status.Images.Count - refused} accepted, {refused} refused");
        w.Write("</strong>; ");
        Text(w, $"enforcement {status.Enforcement}; {(status.HasPolicy ? "verdicts under the registry's node policy" : "no node policy configured")}; as of {StatusFormat.Time(status.GeneratedAt)}");
        w.Write("</p>\n");
        WriteSummary(w, status);
        w.Write("<form method=\"get\" action=\"/ui/\"><label>Repository <input name=\"repository\" value=\"");
        Text(w, status.Filter.Repository);
        w.Write("\"></label><label>Signer <input name=\"signer\" value=\"");
        Text(w, status.Filter.Signer);
        w.Write("\"></label><button type=\"submit\">Filter</button> <a href=\"/ui/\">all</a></form>\n");
        // Refused first (what needs doing), then by repository and tag.
        WriteImages(w, [.. status.Images.OrderBy(i => i.Allowed).ThenBy(i => i.Repository, StringComparer.Ordinal).ThenBy(i => i.Tag, StringComparer.Ordinal)]);
        w.Write("<h2>Recent changes</h2>\n");
        WriteEvents(w, status.RecentEvents);
        w.Write("</body></html>\n");
    }

    // Policy file, program, disk, then the keys the registry trusts with their scopes.
    private static void WriteSummary(TextWriter w, RegistryStatus status)
    {
        if (status.Summary is not { } summary)
        {
            return;
        }

        w.Write("<ul class=\"meta\" id=\"facts\">");
        foreach (var fact in StatusFormat.Facts(summary, status.GeneratedAt))
        {
            w.Write("<li>");
            Text(w, fact);
            w.Write("</li>");
        }

        w.Write("</ul>\n<table id=\"keys\"><thead><tr><th>Trusted key</th><th>Fingerprint</th><th>Scopes</th></tr></thead><tbody>\n");
        if (summary.TrustedKeys.Count == 0)
        {
            w.Write("<tr><td colspan=\"3\" class=\"none\">No trusted key.</td></tr>\n");
        }

        foreach (var key in summary.TrustedKeys)
        {
            w.Write("<tr><td>");
            Text(w, key.UserId);
            w.Write("</td><td><code>");
            Text(w, key.Fingerprint);
            w.Write("</code></td><td>");
            Text(w, key.Scopes.Count == 0 ? "imagemaker (no policy scope)" : string.Join(", ", key.Scopes));
            w.Write("</td></tr>\n");
        }

        w.Write("</tbody></table>\n");
    }

    private static void WriteImages(TextWriter w, IReadOnlyList<ImageStatus> images)
    {
        if (images.Count == 0)
        {
            w.Write("<p class=\"none\" id=\"no-images\">No image matches.</p>\n");
            return;
        }

        w.Write("<table id=\"images\"><thead><tr><th>Repository</th><th>Tag</th><th>Digest</th><th>Size</th><th>Pushed</th><th>Policy</th><th>Signatures</th></tr></thead><tbody>\n");
        foreach (var image in images)
        {
            w.Write(image.Allowed ? "<tr class=\"accepted\"><td>" : "<tr class=\"refused\"><td>");
            Text(w, image.Repository);
            w.Write("</td><td>");
            Text(w, image.Tag);
            // Short on the page; the full digest on hover and in status.json.
            w.Write("</td><td><code class=\"digest\" title=\"");
            Text(w, image.Digest);
            w.Write("\">");
            Text(w, ShortDigest(image.Digest));
            w.Write("</code></td><td>");
            Text(w, StatusFormat.Size(image.Size));
            w.Write("</td><td>");
            Text(w, StatusFormat.Time(image.Pushed));
            w.Write("</td><td class=\"verdict\">");
            Text(w, image.Verdict);
            w.Write("</td><td>");
            if (image.Signatures.Count == 0)
            {
                w.Write("<span class=\"none\">none</span>");
            }
            else
            {
                // Several signatures by one key for one identity: who signed is said once for the row.
                var first = image.Signatures[0];
                var agree = image.Signatures.Count > 1 && image.Signatures.All(x => x.Signer == first.Signer && x.Fingerprint == first.Fingerprint && x.Identity == first.Identity && x.Manifest is null);
                if (agree)
                {
                    w.Write("<div class=\"signer\">by ");
                    Text(w, StatusFormat.Signer(first) + (first.Identity is null ? string.Empty : $" for {first.Identity}"));
                    w.Write("</div>");
                }

                w.Write("<ul class=\"sigs\">");
                foreach (var signature in image.Signatures)
                {
                    w.Write(signature.IsValid ? "<li class=\"valid\">" : "<li class=\"invalid\">");
                    Text(w, agree ? $"signature-{signature.Index}: {(signature.IsValid ? "valid" : $"invalid: {signature.Reason}")}" : StatusFormat.Signature(signature));
                    w.Write("</li>");
                }

                w.Write("</ul>");
            }

            w.Write("</td></tr>\n");
        }

        w.Write("</tbody></table>\n");
    }

    private static void WriteEvents(TextWriter w, IReadOnlyList<AuditEvent> events)
    {
        if (events.Count == 0)
        {
            w.Write("<p class=\"none\" id=\"no-events\">No recent changes in this process's audit log.</p>\n");
            return;
        }

        // Manifests, tags, signatures and deletes one by one; blob uploads and mounts only counted, as they are many and say little.
        var blobs = events.Where(e => e.Action is "blob.push" or "blob.mount").ToList();
        w.Write("<table id=\"events\"><thead><tr><th>Time</th><th>User</th><th>Action</th><th>Repository</th><th>Tag or digest</th></tr></thead><tbody>\n");
        if (blobs.Count > 0)
        {
            w.Write("<tr class=\"blobs\"><td>");
            Text(w, $"{StatusFormat.Time(blobs.Min(e => e.Time))} to {StatusFormat.Time(blobs.Max(e => e.Time))}");
            w.Write("</td><td>");
            Text(w, string.Join(", ", blobs.Select(e => e.User ?? "(this host)").Distinct(StringComparer.Ordinal).Take(5)));
            w.Write("</td><td>");
            Text(w, $"{blobs.Count(e => e.Action == "blob.push")} blob upload(s), {blobs.Count(e => e.Action == "blob.mount")} mount(s)");
            w.Write("</td><td>");
            Text(w, string.Join(", ", blobs.Select(e => e.Repository).Distinct(StringComparer.Ordinal).Take(5)));
            w.Write("</td><td></td></tr>\n");
        }

        foreach (var e in events.Where(e => e.Action is not ("blob.push" or "blob.mount")))
        {
            w.Write("<tr><td>");
            Text(w, StatusFormat.Time(e.Time));
            w.Write("</td><td>");
            Text(w, e.User ?? "(this host)");
            w.Write("</td><td>");
            Text(w, e.Action);
            w.Write("</td><td>");
            Text(w, e.Repository);
            w.Write("</td><td><code>");
            Text(w, string.Join(' ', new[] { e.Tag, e.Digest, e.Signature }.Where(s => s is not null)));
            w.Write("</code></td></tr>\n");
        }

        w.Write("</tbody></table>\n");
    }

    // sha256:0123456789ab: twelve hex digits tell the images of one registry apart.
    private static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    private static void Text(TextWriter w, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Encoder.Encode(w, value);
        }
    }
}
