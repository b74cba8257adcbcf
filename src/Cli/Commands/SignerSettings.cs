namespace U7s.Cli.Commands;

/// <summary>
/// Signer selection from the command line: key by exact e-mail or fingerprint, optional passphrase
/// file, the imagemaker's key directory and the signature store tree signatures are appended to.
/// </summary>
internal sealed record SignerSettings(string Email, string? PassphraseFile, string KeyDirectory, string SigstoreRoot);
