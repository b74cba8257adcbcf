namespace U7s.Cli.Commands;

/// <summary>Signer selection from the command line: key by exact e-mail, optional passphrase file.</summary>
internal sealed record SignerSettings(string Email, string? PassphraseFile);
