namespace U7s.Oci.Policy;

/// <summary>The requirement types of containers-policy.json(5) (SPEC §3.2).</summary>
public enum RequirementType
{
    InsecureAcceptAnything,
    Reject,
    SignedBy,
    SignedBaseLayer,
    SigstoreSigned,
}
