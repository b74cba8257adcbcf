namespace U7s.Registry.Http;

internal enum OciRoute
{
    Unknown,
    Base,
    Catalog,
    Tags,
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Referrers,
}
