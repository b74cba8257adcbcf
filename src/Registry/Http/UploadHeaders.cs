using System.Globalization;
using Microsoft.AspNetCore.Http;
using U7s.Registry.Storage;

namespace U7s.Registry.Http;

/// <summary>The headers every upload response carries: where to continue and how much arrived.</summary>
internal static class UploadHeaders
{
    public static void Set(HttpResponse response, IBlobUpload upload)
    {
        response.Headers.Location = $"/v2/{upload.Repository}/blobs/uploads/{upload.Id}";
        response.Headers["Docker-Upload-UUID"] = upload.Id;
        var end = Math.Max(upload.Length - 1, 0);
        response.Headers.Range = string.Create(CultureInfo.InvariantCulture, $"0-{end}");
    }
}
