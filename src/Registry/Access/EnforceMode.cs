namespace U7s.Registry.Access;

/// <summary>What the registry does with a manifest read that the node policy would refuse.</summary>
public enum EnforceMode
{
    /// <summary>Serve every manifest; the policy (when set) only feeds the status page.</summary>
    Off,

    /// <summary>Serve, but log and count the read as it would have been refused.</summary>
    Warn,

    /// <summary>Answer 403 DENIED.</summary>
    Enforce,
}
