namespace U7s.Cli.Tests;

/// <summary>The one escaping function for untrusted text on the terminal.</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("registry.local/app:v1", "registry.local/app:v1")]
    [InlineData("Иван Петров <ivan@example.ru>", "Иван Петров <ivan@example.ru>")]
    [InlineData("日本語 ✓ 🙂", "日本語 ✓ 🙂")]
    [InlineData("a\nok", @"a\nok")]
    [InlineData("a\r\nb\tc", @"a\r\nb\tc")]
    [InlineData("\u001b[2J\u001b]0;title\u0007", @"\x1b[2J\x1b]0;title\x07")]
    [InlineData("\u009b31m", @"\x9b31m")]
    [InlineData("\u007f\u0000", @"\x7f\x00")]
    [InlineData("evil\u202egpj.exe", @"evil\u{202E}gpj.exe")]
    [InlineData("zero\u200bwidth\u2066iso\u2069", @"zero\u{200B}width\u{2066}iso\u{2069}")]
    [InlineData("line\u2028para\u2029", @"line\u{2028}para\u{2029}")]
    [InlineData("tag\U000E0041", @"tag\u{E0041}")]
    [InlineData(@"C:\x1b", @"C:\\x1b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escape_ControlAndInvisibleCharacters_ShowAsEscapes_OthersUnchanged(string? text, string expected) =>
        Assert.Equal(expected, TerminalText.Escape(text));

    [Fact]
    public void EscapeLines_KeepsTheLineBreaks_EscapesTheRestOfEachLine() =>
        Assert.Equal("preflight:\n  - a: \\x1b[2J\\t\n  - b", TerminalText.EscapeLines("preflight:\r\n  - a: \u001b[2J\t\n  - b"));

    [Fact]
    public void Escape_UnpairedSurrogate_IsShownAsTheReplacementCharacter() =>
        Assert.Equal("a\uFFFDb", TerminalText.Escape("a\uD800b"));

    [Fact]
    public void Escape_OutputHasNoControlOrFormatCharacterLeft()
    {
        var everything = string.Concat(Enumerable.Range(0, 0x3000).Where(c => c is < 0xD800 or > 0xDFFF).Select(c => (char)c));
        var escaped = TerminalText.Escape(everything);
        Assert.DoesNotContain(escaped.EnumerateRunes(), r => System.Text.Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator);
    }
}
