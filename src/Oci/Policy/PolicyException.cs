namespace U7s.Oci.Policy;

/// <summary>A policy file that cannot be used; the message names the offending part.</summary>
public sealed class PolicyException : Exception
{
    public PolicyException()
    {
    }

    public PolicyException(string message)
        : base(message)
    {
    }

    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
