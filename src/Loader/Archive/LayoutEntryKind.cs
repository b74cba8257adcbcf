namespace U7s.Loader.Archive;

/// <summary>What an entry inside <c>&lt;arch&gt;/</c> is.</summary>
internal enum LayoutEntryKind
{
    OciLayout,
    Index,
    Blob,
}
