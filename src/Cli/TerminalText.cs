using System.Globalization;
using System.Text;

namespace U7s.Cli;

/// <summary>
/// Makes a string that came from outside (a signature's claimed identity, a key's user id, a server's repository
/// names or error text) safe to print on one line of a terminal: it can neither drive the terminal (escape
/// sequences), nor forge lines or columns (line breaks, tabs), nor hide or reorder what is shown (bidi
/// overrides, zero-width and other invisible format characters). Those characters are written as visible
/// escapes (<c>\x1b</c>, <c>\n</c>, <c>\u{202E}</c>), and a backslash as <c>\\</c>, so the text stays unambiguous;
/// every other character, Cyrillic user ids included, is kept as it is.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // An unpaired surrogate enumerates as U+FFFD: rebuilt, the text shows that instead.
        if (!text.EnumerateRunes().Any(r => NeedsEscape(r) || r == Rune.ReplacementChar))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\\':
                    escaped.Append(@"\\");
                    break;
                case '\n':
                    escaped.Append(@"\n");
                    break;
                case '\r':
                    escaped.Append(@"\r");
                    break;
                case '\t':
                    escaped.Append(@"\t");
                    break;
                case < 0x100 when NeedsEscape(rune):
                    escaped.Append(CultureInfo.InvariantCulture, $@"\x{rune.Value:x2}");
                    break;
                default:
                    if (NeedsEscape(rune))
                    {
                        escaped.Append(CultureInfo.InvariantCulture, $@"\u{{{rune.Value:X4}}}");
                    }
                    else
                    {
                        escaped.Append(rune.ToString());
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// <see cref="Escape"/> for text of several lines written by U7s itself (a kubeadm config, a preflight's list of
    /// problems): its line breaks stay, everything else in each line is escaped. Untrusted parts inside it must have
    /// been escaped with <see cref="Escape"/> where they were quoted, or they could start lines of their own.
    /// </summary>
    public static string EscapeLines(string? text) =>
        string.Join('\n', (text ?? string.Empty).Split('\n').Select(line => Escape(line.TrimEnd('\r'))));

    // Controls (C0, DEL, C1: ESC and CSI start terminal sequences), format characters (bidi embeddings, overrides and
    // isolates, zero-width characters, the invisible tag characters), line and paragraph separators; an unpaired
    // surrogate arrives here as U+FFFD and is shown as that.
    private static bool NeedsEscape(Rune rune) =>
        rune.Value == '\\' || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
