namespace U7s.Registry.Tests.BadInput;

/// <summary>
/// Malformed requests against the registry port. Paths use <c>{repo}</c> (a repository holding one image
/// tagged <c>v1</c>), <c>{digest}</c> (its manifest), <c>{layer}</c>, <c>{upload}</c> (a live upload
/// holding 10 bytes) and <c>{other}</c> (a repository that exists with another upload).
/// </summary>
internal static class RegistryCorpus
{
    private const string Zero = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    private const string Oci = "application/vnd.oci.image.manifest.v1+json";

    public static IEnumerable<BadRequest> All()
    {
        foreach (var name in new[] { "UPPER", "a__b___c", "-lead", "trail-", "a//b", "_x", "a b", "a%00b", "\u00e9t\u00e9", "a.-b", "a/_manifests" })
        {
            yield return new($"name {name} manifests", "GET", $"/v2/{Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal)}/manifests/v1", 400, "NAME_INVALID");
        }

        yield return new("name too long", "GET", $"/v2/{new string('a', 256)}/tags/list", 400, "NAME_INVALID");
        foreach (var digest in new[] { "sha256:XYZ", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:" + new string('A', 64), "sha256:" + new string('a', 65), "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha256", "sha256:", ":" + new string('a', 64) })
        {
            yield return new($"blob digest {digest}", "GET", $"/v2/{{repo}}/blobs/{Uri.EscapeDataString(digest)}", 400, "DIGEST_INVALID");
            yield return new($"referrers digest {digest}", "GET", $"/v2/{{repo}}/referrers/{Uri.EscapeDataString(digest)}", 400, "DIGEST_INVALID");
        }

        yield return new("HEAD unknown blob", "HEAD", $"/v2/{{repo}}/blobs/{Zero}", 404, null);
        yield return new("DELETE unknown blob", "DELETE", $"/v2/{{repo}}/blobs/{Zero}", 404, "BLOB_UNKNOWN");
        yield return new("GET manifest unknown tag", "GET", "/v2/{repo}/manifests/nope", 404, "MANIFEST_UNKNOWN");
        yield return new("GET manifest invalid tag", "GET", "/v2/{repo}/manifests/.bad", 404, "MANIFEST_UNKNOWN");
        yield return new("GET manifest bad digest", "GET", "/v2/{repo}/manifests/sha256:nothex", 400, "DIGEST_INVALID");
        yield return new("GET manifest by layer digest", "GET", "/v2/{repo}/manifests/{layer}", 404, "MANIFEST_UNKNOWN");
        yield return new("tags of unknown repository", "GET", "/v2/nosuch/repo/tags/list", 404, "NAME_UNKNOWN");
        foreach (var n in new[] { "-1", "x", "1.5", "99999999999" })
        {
            yield return new($"tags n={n}", "GET", $"/v2/{{repo}}/tags/list?n={n}", 400, "PAGINATION_NUMBER_INVALID");
            yield return new($"catalog n={n}", "GET", $"/v2/_catalog?n={n}", 400, "PAGINATION_NUMBER_INVALID");
        }

        foreach (var range in new[] { "bytes=5000-", "bytes=-0", "bytes=999999-1000000" })
        {
            yield return new($"range {range}", "GET", "/v2/{repo}/blobs/{layer}", 416, "RANGE_INVALID", Headers: new Dictionary<string, string> { ["Range"] = range });
        }

        // Manifests.
        var manifests = new (string Name, string Body, string? Type)[]
        {
            ("empty body", "", Oci),
            ("not json", "hello", Oci),
            ("json array", "[1,2]", Oci),
            ("json string", "\"x\"", Oci),
            ("json null", "null", Oci),
            ("truncated json", "{\"schemaVersion\":2,", Oci),
            ("schemaVersion 1", "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"v\",\"fsLayers\":[]}", null),
            ("schemaVersion 3", "{\"schemaVersion\":3,\"mediaType\":\"" + Oci + "\"}", Oci),
            ("schemaVersion string", "{\"schemaVersion\":\"2\"}", Oci),
            ("schemaVersion float", "{\"schemaVersion\":2.5}", Oci),
            ("no config", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"layers\":[]}", Oci),
            ("config not object", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":\"x\",\"layers\":[]}", Oci),
            ("config no digest", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"size\":1},\"layers\":[]}", Oci),
            ("config bad digest", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:1\",\"size\":1},\"layers\":[]}", Oci),
            ("config negative size", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":-5},\"layers\":[]}", Oci),
            ("config size string", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":\"1\"},\"layers\":[]}", Oci),
            ("config no mediaType", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[]}", Oci),
            ("layers not array", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":{}}", Oci),
            ("layer not object", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[1]}", Oci),
            ("unknown mediaType field", "{\"schemaVersion\":2,\"mediaType\":\"application/x-nope\",\"config\":{}}", null),
            ("unknown content type", "{\"schemaVersion\":2,\"config\":{}}", "application/x-nope"),
            ("mediaType mismatch", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[]}", "application/vnd.oci.image.index.v1+json"),
            ("index manifests not array", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":\"x\"}", "application/vnd.oci.image.index.v1+json"),
            ("index entry bad digest", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"" + Oci + "\",\"digest\":\"x\",\"size\":1}]}", "application/vnd.oci.image.index.v1+json"),
            ("subject not object", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[],\"subject\":5}", Oci),
            ("annotations not object", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[],\"annotations\":[]}", Oci),
            ("annotation value number", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[],\"annotations\":{\"a\":1}}", Oci),
            ("artifactType number", "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[],\"artifactType\":1}", Oci),
            ("deeply nested", new string('[', 200) + new string(']', 200), Oci),
        };
        foreach (var (name, body, type) in manifests)
        {
            yield return new($"manifest {name}", "PUT", "/v2/{repo}/manifests/bad", 400, "MANIFEST_INVALID", body, type);
        }

        yield return new("manifest config blob absent", "PUT", "/v2/{repo}/manifests/bad", 400, "MANIFEST_BLOB_UNKNOWN",
            "{\"schemaVersion\":2,\"mediaType\":\"" + Oci + "\",\"config\":{\"mediaType\":\"a\",\"digest\":\"" + Zero + "\",\"size\":1},\"layers\":[]}", Oci);
        yield return new("manifest by wrong digest", "PUT", $"/v2/{{repo}}/manifests/{Zero}", 400, "DIGEST_INVALID", "{}", Oci);
        yield return new("manifest by malformed reference", "PUT", "/v2/{repo}/manifests/sha256:xyz", 400, "DIGEST_INVALID", "{}", Oci);
        yield return new("manifest by invalid tag", "PUT", "/v2/{repo}/manifests/-tag", 400, "MANIFEST_INVALID", "{}", Oci);
        yield return new("delete unknown manifest", "DELETE", $"/v2/{{repo}}/manifests/{Zero}", 404, "MANIFEST_UNKNOWN");
        yield return new("delete unknown tag", "DELETE", "/v2/{repo}/manifests/nope", 404, "MANIFEST_UNKNOWN");

        // Uploads.
        yield return new("upload unknown id", "GET", "/v2/{repo}/blobs/uploads/0123456789abcdef0123456789abcdef", 404, "BLOB_UPLOAD_UNKNOWN");
        yield return new("upload id with upper case", "PATCH", "/v2/{repo}/blobs/uploads/0123456789ABCDEF0123456789ABCDEF", 404, "BLOB_UPLOAD_UNKNOWN", "x");
        yield return new("upload id of other repo", "GET", "/v2/{other}/blobs/uploads/{upload}", 404, "BLOB_UPLOAD_UNKNOWN");
        yield return new("upload id path-like", "DELETE", "/v2/{repo}/blobs/uploads/..%2F..%2Fblobs", 404, "BLOB_UPLOAD_UNKNOWN");
        yield return new("chunk out of order", "PATCH", "/v2/{repo}/blobs/uploads/{upload}", 416, "RANGE_INVALID", "abc", Headers: new Dictionary<string, string> { ["Content-Range"] = "20-22" });
        yield return new("chunk restarting at zero", "PATCH", "/v2/{repo}/blobs/uploads/{upload}", 416, "RANGE_INVALID", "abc", Headers: new Dictionary<string, string> { ["Content-Range"] = "0-2" });
        yield return new("chunk range longer than body", "PATCH", "/v2/{repo}/blobs/uploads/{upload}", 416, "RANGE_INVALID", "abc", Headers: new Dictionary<string, string> { ["Content-Range"] = "10-19" });
        foreach (var range in new[] { "abc", "5", "-5", "10-5", "x-y", "bytes" })
        {
            yield return new($"chunk Content-Range '{range}'", "PATCH", "/v2/{repo}/blobs/uploads/{upload}", 400, "BLOB_UPLOAD_INVALID", "abc", Headers: new Dictionary<string, string> { ["Content-Range"] = range });
        }

        yield return new("complete without digest", "PUT", "/v2/{repo}/blobs/uploads/{upload}", 400, "DIGEST_INVALID");
        yield return new("complete with bad digest", "PUT", "/v2/{repo}/blobs/uploads/{upload}?digest=sha256:zz", 400, "DIGEST_INVALID");
        yield return new("complete with wrong digest", "PUT", $"/v2/{{repo}}/blobs/uploads/{{upload}}?digest={Zero}", 400, "DIGEST_INVALID");
        yield return new("single post wrong digest", "POST", $"/v2/{{repo}}/blobs/uploads/?digest={Zero}", 400, "DIGEST_INVALID", "data");
        yield return new("single post bad digest", "POST", "/v2/{repo}/blobs/uploads/?digest=nope", 400, "DIGEST_INVALID", "data");
        yield return new("mount bad digest", "POST", "/v2/{repo}/blobs/uploads/?mount=sha256:1&from=x", 400, "DIGEST_INVALID");
        yield return new("mount bad from", "POST", $"/v2/{{repo}}/blobs/uploads/?mount={Zero}&from=BAD", 400, "NAME_INVALID");

        // Methods and routes.
        yield return new("PUT blob", "PUT", "/v2/{repo}/blobs/{layer}", 405, "UNSUPPORTED");
        yield return new("POST manifest", "POST", "/v2/{repo}/manifests/v1", 405, "UNSUPPORTED");
        yield return new("PATCH tags", "PATCH", "/v2/{repo}/tags/list", 405, "UNSUPPORTED");
        yield return new("POST catalog", "POST", "/v2/_catalog", 405, "UNSUPPORTED");
        yield return new("DELETE base", "DELETE", "/v2/", 405, "UNSUPPORTED");
        yield return new("unknown route", "GET", "/v2/{repo}/nothing/here", 404, "NAME_UNKNOWN");
        yield return new("outside v2", "GET", "/v3/", 404, "NAME_UNKNOWN");
    }
}
