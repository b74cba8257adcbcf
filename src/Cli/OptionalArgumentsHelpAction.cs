using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text;

namespace U7s.Cli;

/// <summary>
/// The built-in help, with the commands list written the way each verb's own usage line is:
/// System.CommandLine lists every argument of a subcommand as <c>&lt;name&gt;</c>, so
/// <c>u7s --help</c> showed the optional <c>[registry/path]</c> of load-sign-oci as required.
/// Optional arguments become <c>[&lt;name&gt;]</c>, repeatable ones <c>&lt;name&gt;...</c>, and the
/// section is realigned.
/// </summary>
internal sealed class OptionalArgumentsHelpAction(SynchronousCommandLineAction inner) : SynchronousCommandLineAction
{
    private const string CommandsHeading = "Commands:";
    private const string Indent = "  ";

    public override bool ClearsParseErrors => inner.ClearsParseErrors;

    /// <summary>Wraps the help action of <paramref name="root"/>'s help option.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is System.CommandLine.Help.HelpOption { Action: SynchronousCommandLineAction action } help)
            {
                help.Action = new OptionalArgumentsHelpAction(action);
            }
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        using var captured = new StringWriter();
        configuration.Output = captured;
        int code;
        try
        {
            code = inner.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }

        output.Write(Rewrite(captured.ToString(), parseResult.CommandResult.Command));
        return code;
    }

    /// <summary>Rewrites the rows of the commands section of <paramref name="help"/>, written for <paramref name="command"/>.</summary>
    internal static string Rewrite(string help, Command command)
    {
        var lines = help.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd('\r') == CommandsHeading);
        if (start < 0)
        {
            return help;
        }

        var end = start + 1;
        while (end < lines.Length && lines[end].TrimEnd('\r').Length > 0)
        {
            end++;
        }

        // Rows are "  label  description"; a label has single spaces only; wrapped text is indented further.
        var rows = new List<(string Label, List<string> Text)>();
        for (var i = start + 1; i < end; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (rows.Count > 0 && line.StartsWith(Indent + " ", StringComparison.Ordinal))
            {
                rows[^1].Text.Add(line.Trim());
                continue;
            }

            var body = line[Indent.Length..];
            var gap = body.IndexOf(Indent, StringComparison.Ordinal);
            var label = gap < 0 ? body : body[..gap];
            var text = gap < 0 ? string.Empty : body[gap..].Trim();
            rows.Add((Relabel(label, command), [text]));
        }

        var width = rows.Max(r => r.Label.Length);
        var rewritten = new StringBuilder();
        foreach (var (label, text) in rows)
        {
            rewritten.Append(Indent).Append(label.PadRight(width)).Append(Indent).Append(text[0]).Append('\n');
            foreach (var more in text.Skip(1))
            {
                rewritten.Append(' ', Indent.Length + width + Indent.Length).Append(more).Append('\n');
            }
        }

        return string.Join('\n', lines[..(start + 1)]) + '\n' + rewritten + string.Join('\n', lines[end..]);
    }

    private static string Relabel(string label, Command parent)
    {
        var name = label.Split(' ')[0].TrimEnd(',');
        var command = parent.Subcommands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name));
        if (command is null)
        {
            return label;
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var shown = $"<{argument.HelpName ?? argument.Name}>";
            var repeated = argument.Arity.MaximumNumberOfValues > 1 ? shown + "..." : shown;
            var replacement = argument.Arity.MinimumNumberOfValues == 0 ? $"[{repeated}]" : repeated;
            label = label.Replace(" " + shown, " " + replacement, StringComparison.Ordinal);
        }

        return label;
    }
}
