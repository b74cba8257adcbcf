using System.Text.RegularExpressions;
using U7s.Oci;

namespace U7s.Registry.Http;

/// <summary>
/// The part of a <c>/v2/</c> URL after the prefix, parsed. Repository names contain <c>/</c>, so the
/// route is recognised from the end: the last <c>/manifests/</c>, <c>/blobs/</c>, <c>/referrers/</c>
/// or <c>/tags/list</c> decides, and everything before it is the name.
/// </summary>
internal sealed partial record OciPath(OciRoute Route, RepositoryName Name, string? Reference)
{
    /// <summary>Parses the path; MUST throw NAME_INVALID for a malformed name so no request reaches storage with it.</summary>
    public static OciPath Parse(string? path)
    {
        path ??= string.Empty;
        if (path.Length == 0)
        {
            return new OciPath(OciRoute.Base, default, null);
        }

        if (path is "_catalog")
        {
            return new OciPath(OciRoute.Catalog, default, null);
        }

        Match m;
        if ((m = Uploads().Match(path)).Success)
        {
            var id = m.Groups["id"].Value;
            return new OciPath(id.Length == 0 ? OciRoute.UploadStart : OciRoute.Upload, ParseName(m), id.Length == 0 ? null : id);
        }

        if ((m = Tags().Match(path)).Success)
        {
            return new OciPath(OciRoute.Tags, ParseName(m), null);
        }

        if ((m = Item().Match(path)).Success)
        {
            var route = m.Groups["kind"].Value switch
            {
                "manifests" => OciRoute.Manifest,
                "blobs" => OciRoute.Blob,
                _ => OciRoute.Referrers,
            };
            return new OciPath(route, ParseName(m), m.Groups["ref"].Value);
        }

        return new OciPath(OciRoute.Unknown, default, null);
    }

    private static RepositoryName ParseName(Match m)
    {
        var text = m.Groups["name"].Value;
        return RepositoryName.TryParse(text, out var name)
            ? name
            : throw new OciException(OciErrorCode.NameInvalid, $"'{text}' is not a valid repository name");
    }

    [GeneratedRegex(@"^(?<name>.+)/blobs/uploads/?(?<id>[^/]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Uploads();

    [GeneratedRegex(@"^(?<name>.+)/tags/list/?$", RegexOptions.CultureInvariant)]
    private static partial Regex Tags();

    [GeneratedRegex(@"^(?<name>.+)/(?<kind>manifests|blobs|referrers)/(?<ref>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Item();
}
