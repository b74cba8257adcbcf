using U7s.Sigstore.Store;

namespace U7s.Server.Enforcement;

/// <summary>The failures of reading the signature tree (a directory or a bucket) that a verdict reports instead of crashing the request.</summary>
internal static class SignatureReadFailure
{
    // IOException covers a store that does not answer (StorageException) as well as a failed disk.
    public static bool Is(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidDataException or SignatureStoreException;
}
