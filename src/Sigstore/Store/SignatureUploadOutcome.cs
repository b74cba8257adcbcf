namespace U7s.Sigstore.Store;

/// <summary>A signature store's answer to an upload: 201 stored, 200 already present, else refused with <see cref="Message"/>.</summary>
public sealed record SignatureUploadOutcome(int Status, string Message, int? Index, Uri Target)
{
    public bool IsStored => Status is 200 or 201;
}
