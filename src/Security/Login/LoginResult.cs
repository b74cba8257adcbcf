namespace U7s.Security.Login;

/// <summary>What a login attempt came to: accepted, wrong (401), or refused unchecked after too many failures (429).</summary>
public enum LoginResult
{
    Valid,
    Invalid,
    Throttled,
}
