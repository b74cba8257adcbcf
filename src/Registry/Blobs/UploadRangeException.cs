using U7s.Registry.Storage;

namespace U7s.Registry.Blobs;

/// <summary>An out-of-order chunk: answered 416 with the upload's Location and current Range.</summary>
internal sealed class UploadRangeException(IBlobUpload upload, string detail) : Exception(detail)
{
    public IBlobUpload Upload { get; } = upload;
}
