using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace U7s.Oci;

/// <summary>
/// A repository name that matches the distribution spec's grammar
/// <c>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*</c>.
/// The grammar admits no <c>..</c>, no leading or trailing slash and no empty component, so a parsed
/// name is safe to use as a relative path under a data root.
/// </summary>
public readonly partial record struct RepositoryName
{
    /// <summary>Repository names longer than this are refused (distribution uses 255 for host + name).</summary>
    public const int MaxLength = 255;

    private RepositoryName(string value) => Value = value;

    public string Value { get; }

    /// <summary>Path components, e.g. <c>k8s-c10f1</c>, <c>pause</c>.</summary>
    public IReadOnlyList<string> Components => Value.Split('/');

    public static bool TryParse([NotNullWhen(true)] string? value, out RepositoryName name)
    {
        name = default;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || !Grammar().IsMatch(value))
        {
            return false;
        }

        name = new RepositoryName(value);
        return true;
    }

    public static RepositoryName Parse(string value) =>
        TryParse(value, out var name) ? name : throw new FormatException($"invalid repository name '{value}'");

    public override string ToString() => Value;

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
