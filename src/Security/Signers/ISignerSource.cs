
namespace U7s.Security.Signers;

/// <summary>
/// Where imagemakers' push and signing rights come from: a root-owned file (<see cref="SignersFile"/>)
/// or, for replicas, an object in their shared bucket. Never the served <c>keys/</c>, which imagemakers
/// themselves can write.
/// </summary>
public interface ISignerSource
{
    /// <summary>For messages: the file path or bucket key.</summary>
    string Description { get; }

    /// <summary>
    /// The current document, or null when there is none (then no imagemaker has rights). MUST throw
    /// <see cref="InvalidDataException"/> with a one-line reason when it is malformed, too large, or
    /// could have been written by someone other than root or the service. A store that cannot be read fails with a
    /// <see cref="U7s.Oci.StorageException"/> (a remote store) or another <see cref="IOException"/>: never null,
    /// which would take every imagemaker's rights away.
    /// </summary>
    Task<SignersDocument?> ReadOrNullAsync(CancellationToken cancellationToken);
}
