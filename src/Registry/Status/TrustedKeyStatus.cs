namespace U7s.Registry.Status;

/// <summary>A key the registry trusts, as the status page summary names it.</summary>
/// <param name="UserId">The key's first user id, as the key says (shown escaped).</param>
/// <param name="Scopes">The policy scopes that trust it (<c>registry.local</c>, <c>default</c>); empty for an imagemaker key only the authorization file names.</param>
public sealed record TrustedKeyStatus(string Fingerprint, string UserId, IReadOnlyList<string> Scopes);
