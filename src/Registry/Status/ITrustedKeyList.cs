namespace U7s.Registry.Status;

/// <summary>The keys the registry's policy and authorization file trust, for the status page summary (the enforcement's own copy, kept current).</summary>
public interface ITrustedKeyList
{
    ValueTask<IReadOnlyList<TrustedKeyStatus>> ListTrustedKeysAsync(CancellationToken cancellationToken);
}
