using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Kubeadm;

/// <summary>A Kubernetes release <c>vMAJOR.MINOR.PATCH</c>, as kubeadm's <c>kubernetesVersion</c> takes it.</summary>
public sealed partial record KubernetesVersion(int Major, int Minor, int Patch)
{
    public static bool TryParse(string? text, out KubernetesVersion? version)
    {
        version = null;
        var match = text is null ? Match.Empty : Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        version = new KubernetesVersion(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        return true;
    }

    public override string ToString() => $"v{Major}.{Minor}.{Patch}";

    [GeneratedRegex(@"^v(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
