namespace U7s.Loader.Signing;

/// <summary>Who signed and which <c>signature-N</c> holds it (Existing: it was already there).</summary>
internal sealed record SignatureResult(string Signer, int SignatureIndex, bool Existing);
