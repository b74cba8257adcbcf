namespace U7s.Loader.Loading;

/// <summary>How a blob reached the sink, in increasing cost; a blob's summary outcome is the costliest one.</summary>
internal enum BlobOutcome
{
    /// <summary>Not published (no image uses it).</summary>
    None,

    /// <summary>Every repository that needs it already had it.</summary>
    Present,

    /// <summary>Linked from where the sink already held it, no bytes sent.</summary>
    Mounted,

    /// <summary>Its bytes were sent at least once.</summary>
    Sent,
}
