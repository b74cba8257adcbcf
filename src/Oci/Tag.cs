using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace U7s.Oci;

/// <summary>A tag: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c> (distribution spec).</summary>
public readonly partial record struct Tag
{
    private Tag(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? value, out Tag tag)
    {
        tag = default;
        if (string.IsNullOrEmpty(value) || !Grammar().IsMatch(value))
        {
            return false;
        }

        tag = new Tag(value);
        return true;
    }

    public static Tag Parse(string value) =>
        TryParse(value, out var tag) ? tag : throw new FormatException($"invalid tag '{value}'");

    public override string ToString() => Value;

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
