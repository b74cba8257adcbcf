namespace U7s.Loader.Loading;

/// <summary>
/// Why a load or save failed, one value per row group of SPEC §1.5. The CLI maps each kind onto
/// its exit code in one place.
/// </summary>
internal enum LoadErrorKind
{
    /// <summary>Row 3: wrong arguments, archive missing or unreadable.</summary>
    Usage,

    /// <summary>Row 4: architecture not in the supported list.</summary>
    UnknownArchitecture,

    /// <summary>Row 5: target registry host or path invalid (§1.3).</summary>
    InvalidTarget,

    /// <summary>Row 6: xz or tar cannot be decoded, or an entry is unsafe (link, device, absolute, "..", too large).</summary>
    UnsafeArchive,

    /// <summary>Row 7: no <c>&lt;arch&gt;/</c> directory.</summary>
    MissingArchitecture,

    /// <summary>Row 8: index.json or oci-layout missing or of the wrong version.</summary>
    InvalidLayout,

    /// <summary>Rows 9-10: a blob's content, size or presence does not match its descriptor.</summary>
    InvalidContent,

    /// <summary>Row 11: ref-name annotation missing, malformed or duplicated.</summary>
    InvalidReference,

    /// <summary>Row 12: no image carries the configured platform.</summary>
    PlatformMismatch,

    /// <summary>Row 13: the signer key cannot be used.</summary>
    SignerUnusable,

    /// <summary>Row 13: the node policy would reject the images even once signed (checked before anything is pushed).</summary>
    PolicyRefuses,

    /// <summary>The target or source registry refused a request or could not be reached.</summary>
    Registry,

    /// <summary>The verification pass after signing failed.</summary>
    VerificationFailed,
}
