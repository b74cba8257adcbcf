namespace U7s.Oci;

/// <summary>What went wrong with a store, as far as its caller can act on it.</summary>
public enum StorageFailure
{
    /// <summary>
    /// The store did not answer within its deadline, could not be reached, or answered that it is failing or
    /// overloaded (a 5xx). Retrying later, or on another replica once the store answers again, may succeed.
    /// </summary>
    Unavailable,

    /// <summary>
    /// The store answered and refused: credentials not accepted, no permission, no such bucket. Retrying does not
    /// help until its configuration changes.
    /// </summary>
    Refused,
}
