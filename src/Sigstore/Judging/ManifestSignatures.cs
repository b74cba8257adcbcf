using U7s.Oci;

namespace U7s.Sigstore.Judging;

/// <summary>The signatures of one manifest a node checks, and where they were looked for (a directory or URL ending in <c>/</c>).</summary>
public sealed record ManifestSignatures(Digest Digest, string Location, IReadOnlyList<SignatureBlob> Signatures)
{
    /// <summary>The first signature containers/image could not read: with one, the whole pull fails, whatever the others say.</summary>
    public SignatureBlob? Unreadable => Signatures.FirstOrDefault(s => s.Content is null);
}
