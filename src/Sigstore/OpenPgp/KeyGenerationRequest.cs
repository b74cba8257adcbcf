namespace U7s.Sigstore.OpenPgp;

/// <summary>What a new signer key looks like; a null <see cref="Passphrase"/> leaves the secret unprotected.</summary>
public sealed record KeyGenerationRequest(string Name, string Email, KeySpec Key, string? Passphrase, DateTimeOffset CreatedAt, TimeSpan? Lifetime = null)
{
    /// <summary>The self-signed user ID, <c>Name &lt;email&gt;</c> as GnuPG writes it.</summary>
    public string UserId => string.IsNullOrEmpty(Name) ? $"<{Email}>" : $"{Name} <{Email}>";
}
