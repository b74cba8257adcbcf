namespace U7s.Registry.Status;

/// <summary>An <see cref="ITrustedKeyList"/> for signature checks that keep no keys of their own (a test's stand-in).</summary>
public sealed class NoTrustedKeys : ITrustedKeyList
{
    public static NoTrustedKeys Instance { get; } = new();

    public ValueTask<IReadOnlyList<TrustedKeyStatus>> ListTrustedKeysAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<TrustedKeyStatus>>([]);
}
