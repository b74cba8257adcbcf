namespace U7s.Loader.Signing;

/// <summary>A signer ready to sign: its primary key's fingerprint and how the report names it (e-mail and fingerprint).</summary>
internal sealed record PreparedSigner(string Fingerprint, string Description);
