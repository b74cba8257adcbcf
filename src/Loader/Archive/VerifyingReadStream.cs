using U7s.Loader.Loading;
using U7s.Loader.Xz;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Loader.Archive;

/// <summary>
/// A <see cref="DigestCheckedStream"/> whose failures are load errors: a consumer (an HTTP upload, a temp file,
/// the local store) never sees a clean end of an unverified blob. The first failure, its own or the archive's
/// (truncated or corrupt xz, a limit of <see cref="TarGuardStream"/>), is kept in <see cref="Failure"/> for
/// callers that only see it wrapped: an HTTP upload reports any read error of its body as "Error while copying
/// content to a stream".
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, Digest expected, long expectedLength, string what)
    : DigestCheckedStream(inner, expected, expectedLength)
{
    public LoadException? Failure { get; private set; }

    /// <summary>The archive's own read errors as the load errors the reader would report for them.</summary>
    protected override Exception? SourceFailure(Exception exception)
    {
        Failure ??= exception switch
        {
            LoadException load => load,
            XzException xz => new LoadException(LoadErrorKind.UnsafeArchive, $"cannot decode the archive: {xz.Message}", xz),
            EndOfStreamException end => new LoadException(LoadErrorKind.UnsafeArchive, $"the archive ends inside '{what}'", end),
            _ => null,
        };
        return Failure;
    }

    protected override Exception ContentFailure(string message)
    {
        Failure = new LoadException(LoadErrorKind.InvalidContent, $"{what}: {message}");
        return Failure;
    }
}
