namespace U7s.Oci;

/// <summary>What a <see cref="StoreChange"/> changed.</summary>
public enum StoreChangeKind
{
    /// <summary>A repository holds a manifest (pushed, or pushed again).</summary>
    ManifestPut,

    /// <summary>A repository no longer holds a manifest.</summary>
    ManifestDelete,

    /// <summary>A tag points at a manifest (set or moved).</summary>
    TagSet,

    /// <summary>A tag was removed.</summary>
    TagDelete,

    /// <summary>A signature was added to a manifest's lookaside signatures.</summary>
    SignaturePut,

    /// <summary>A signature was removed (the later ones renumbered down).</summary>
    SignatureDelete,

    /// <summary>A blob's content became readable (an upload committed or a manifest's bytes stored).</summary>
    BlobCommitted,
}
