namespace U7s.Cli.Loading;

/// <summary>A no-echo passphrase prompt on the terminal (stderr for the text, keys read without echo).</summary>
internal static class TerminalPassphrase
{
    public static string Read(string prompt)
    {
        Console.Error.Write(prompt);
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    return new string([.. chars]);
                case ConsoleKey.Backspace:
                    if (chars.Count > 0)
                    {
                        chars.RemoveAt(chars.Count - 1);
                    }

                    break;
                default:
                    chars.Add(key.KeyChar);
                    break;
            }
        }
    }
}
