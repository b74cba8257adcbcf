using System.Globalization;

namespace U7s.Oci;

/// <summary>
/// Text another party wrote (a signature's claims, a server's error message) made safe to print on one
/// terminal line by a program that prints it raw: control, format (bidi overrides) and line or paragraph
/// separator characters become <c>?</c>, and it is cut at a bound.
/// </summary>
public static class InertText
{
    public static string OneLine(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var bounded = text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 1), "…");
        return string.Create(bounded.Length, bounded, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? '?' : c;
            }
        });
    }
}
