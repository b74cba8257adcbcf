using U7s.Oci;
using U7s.Registry;
using U7s.S3;
using U7s.Sigstore;

namespace U7s.Server.Hosting;

/// <summary>
/// Everything <c>u7s serve</c> and <c>u7s gc</c> are configured with. <see cref="S3"/> is set when
/// <c>Storage</c> is <c>s3</c>; the filesystem under <see cref="RegistryOptions.DataRoot"/> is the default.
/// </summary>
internal sealed record ServeSettings(RegistryOptions Registry, SigstoreOptions Sigstore, S3StorageOptions? S3)
{
    /// <summary>Settings that still work but should be changed (an old name), for the start-up log.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The S3 storage, reachable and with its bucket ready, or null on the filesystem; an unreachable
    /// store is a one-line failure with exit code 5 (the caller disposes what it gets).
    /// </summary>
    public async Task<S3Storage?> OpenS3OrNullAsync(CancellationToken cancellationToken)
    {
        if (S3 is null)
        {
            return null;
        }

        var storage = new S3Storage(S3);
        try
        {
            await storage.EnsureReadyAsync(cancellationToken);
            return storage;
        }
        catch (StorageException e)
        {
            storage.Dispose();
            throw new ServerException(e.Message, ServerErrorKind.Unavailable);
        }
    }

    public void Deconstruct(out RegistryOptions registry, out SigstoreOptions sigstore)
    {
        registry = Registry;
        sigstore = Sigstore;
    }
}
