using U7s.Loader.Archive;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Signing;
using U7s.Oci.Policy;

namespace U7s.Loader.Loading;

/// <summary>
/// Loads an image archive into an <see cref="IImageSink"/> in one streaming pass (SPEC §1.5):
/// every blob is hashed while it streams to the sink (or, when its manifest has not been seen
/// yet, to a per-load spool directory); after the archive ends every descriptor is checked, then
/// blobs, manifests by digest and finally tags are published, so a failure leaves no tag behind.
/// Each published image is then signed and verified.
/// </summary>
internal sealed partial class ArchiveLoader(
    IImageSink sink,
    IImageSigner? signer,
    IImageJudge? verifier,
    IProgress<LoadProgress>? progress = null)
{
    /// <summary>Blobs up to this size that look like JSON are kept to be parsed as manifests or configs.</summary>
    public const int MaxDocumentBytes = 4 << 20;

    /// <exception cref="LoadException">Any check failed; nothing was tagged.</exception>
    public async Task<LoadResult> LoadAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        if (!Architectures.IsKnown(request.Architecture))
        {
            throw new LoadException(LoadErrorKind.UnknownArchitecture, $"unknown architecture '{request.Architecture}' (expected one of {string.Join(", ", Architectures.All)})");
        }

        PreparedSigner? prepared = null;
        DirectoryInfo? spool = null;
        try
        {
            await using var counting = new CountingReadStream(OpenArchive(request.ArchivePath));
            var total = counting.Length;
            if (signer is not null)
            {
                try
                {
                    prepared = await signer.PrepareAsync(cancellationToken);
                }
                catch (Exception e) when (e is not (OperationCanceledException or LoadException))
                {
                    throw new LoadException(LoadErrorKind.SignerUnusable, $"signer key not usable: {e.Message}", e);
                }
            }

            spool = request.TemporaryRoot is null
                ? Directory.CreateTempSubdirectory("u7s-load-")
                : Directory.CreateDirectory(Path.Combine(request.TemporaryRoot, $"u7s-load-{Guid.NewGuid():N}"));
            var state = new LoadState(request, spool.FullName) { SignerFingerprint = prepared?.Fingerprint };
            var reader = new OciArchiveReader(request.Architecture, request.MaxExpandedBytes ?? LoadRequest.AutoMaxExpandedBytes(total), request.Xz);
            var summary = await reader.ReadAsync(
                counting,
                (entry, ct) =>
                {
                    progress?.Report(new LoadProgress("reading", counting.BytesRead, total, entry.Path));
                    return OnEntryAsync(state, entry, ct);
                },
                cancellationToken);
            progress?.Report(new LoadProgress("checking", 0, 0, null));
            var images = Resolve(state, summary);
            var digests = await PublishAsync(state, images, cancellationToken);
            var loaded = await SignAndVerifyAsync(images, digests, cancellationToken);
            return new LoadResult(
                loaded,
                prepared?.Description,
                state.Count(BlobOutcome.Sent),
                state.Count(BlobOutcome.Mounted),
                state.Count(BlobOutcome.Present),
                state.BytesSent,
                summary.ExpandedBytes);
        }
        catch (RegistryException e)
        {
            throw new LoadException(LoadErrorKind.Registry, $"registry error: {e.Message}", e);
        }
        finally
        {
            try
            {
                spool?.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort; the directory is under the temp root.
            }
        }
    }

    private static FileStream OpenArchive(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoadException(LoadErrorKind.Usage, $"cannot read archive '{path}': {e.Message}", e);
        }
    }
}
