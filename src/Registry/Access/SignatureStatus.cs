namespace U7s.Registry.Access;

/// <summary>
/// One stored signature of a manifest as the status page shows it: who signed (user id and
/// fingerprint of a known key), the identity it claims, and whether the node policy accepts it for
/// the image, with the reason when not.
/// </summary>
/// <param name="Index">N of <c>signature-N</c>.</param>
/// <param name="Signer">The signer key's first user id, when the key is known.</param>
/// <param name="Fingerprint">The signer key's fingerprint, when the key is known.</param>
/// <param name="Identity">The <c>docker-reference</c> the signature claims, when it could be read.</param>
/// <param name="Manifest">For an index: the platform manifest this signature is of (nodes check those, never the index); null otherwise.</param>
/// <param name="Unreadable">The bytes are no OpenPGP signature at all (corrupted or truncated): nobody signed them.</param>
public sealed record SignatureStatus(int Index, string? Signer, string? Fingerprint, string? Identity, bool IsValid, string? Reason, string? Manifest = null, bool Unreadable = false);
