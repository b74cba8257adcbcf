namespace U7s.Cli.Tests.Release;

/// <summary>
/// A fact over the release artifacts of <see cref="Arch"/> (amd64 unless set), as root (mount
/// namespaces, chroot) with the named programs; skipped with the reason otherwise, except that under
/// CI a missing artifact is not a reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresReleaseFactAttribute : FactAttribute
{
    private readonly string[] _tools;
    private string _arch = "amd64";

    public RequiresReleaseFactAttribute(params string[] tools)
    {
        _tools = tools;
        Evaluate();
    }

    public string Arch
    {
        get => _arch;
        set
        {
            _arch = value;
            Evaluate();
        }
    }

    private void Evaluate()
    {
        var missing = _tools.Where(t => Tool.Find(t) is null).ToArray();
        Skip = !Environment.IsPrivilegedProcess ? "needs root (unshare -m)"
            : missing.Length > 0 ? $"not installed: {string.Join(", ", missing)}"
            : ReleaseArtifacts.SkipReasonFor(_arch);
    }
}
