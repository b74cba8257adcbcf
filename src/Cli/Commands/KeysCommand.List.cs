using System.CommandLine;

namespace U7s.Cli.Commands;

/// <summary><c>u7s keys list</c> and <c>u7s keys export</c>.</summary>
internal static partial class KeysCommand
{
    private static readonly Argument<string> SelectorArgument = new("key") { Description = "E-mail (exact) or full fingerprint of the key" };
    private static readonly Option<FileInfo?> OutputOption = new("--output", "-o") { Description = "Write the armored public key here instead of stdout" };

    private static Command CreateList()
    {
        var command = new Command("list", "List the stored signing keys") { KeyDirOption };
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            foreach (var key in OpenStore(parse).List())
            {
                output.WriteLine(Sigstore.Keys.SignerKeyStore.Describe(key));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateExport()
    {
        var command = new Command("export", "Print (or publish) the armored public key")
        {
            SelectorArgument, OutputOption, KeyDirOption, PublishOption, SigstoreRootOption, UserOption,
        };
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            var store = OpenStore(parse);
            var key = store.Select(parse.GetValue(SelectorArgument)!);
            var armored = store.ExportPublic(key);
            if (parse.GetValue(OutputOption) is { } file)
            {
                File.WriteAllBytes(file.FullName, armored);
            }
            else if (!parse.GetValue(PublishOption))
            {
                output.Write(System.Text.Encoding.ASCII.GetString(armored));
            }

            MaybePublish(parse, store, key, output);
            return ExitCodes.Success;
        }));
        return command;
    }
}
