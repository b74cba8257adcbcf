using System.Globalization;
using Microsoft.AspNetCore.Http;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>
/// The <c>n</c>/<c>last</c> pagination of tag lists and the catalog: entries after <c>last</c> in
/// ordinal order, at most <c>n</c>, and a <c>Link: &lt;…&gt;; rel="next"</c> header when more remain.
/// </summary>
internal static class Pagination
{
    public static IReadOnlyList<string> Apply(HttpContext context, IReadOnlyList<string> sorted, string basePath)
    {
        var query = context.Request.Query;
        int? n = null;
        if (query.TryGetValue("n", out var nText))
        {
            if (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new OciException(OciErrorCode.PaginationNumberInvalid, $"n must be a non-negative integer, not '{nText}'");
            }

            n = parsed;
        }

        var last = query.TryGetValue("last", out var l) ? l.ToString() : null;
        var start = 0;
        if (!string.IsNullOrEmpty(last))
        {
            while (start < sorted.Count && string.CompareOrdinal(sorted[start], last) <= 0)
            {
                start++;
            }
        }

        var count = Math.Min(n ?? int.MaxValue, sorted.Count - start);
        var page = sorted.Skip(start).Take(count).ToList();
        if (n is > 0 && start + count < sorted.Count)
        {
            var next = $"{basePath}?last={Uri.EscapeDataString(page[^1])}&n={n.Value.ToString(CultureInfo.InvariantCulture)}";
            context.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }

        return page;
    }
}
