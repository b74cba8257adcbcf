using System.CommandLine;

namespace U7s.Cli.Commands;

/// <summary><c>u7s keys import FILE</c>: a secret key as <c>gpg --export-secret-keys [--armor]</c> writes it.</summary>
internal static partial class KeysCommand
{
    private static readonly Argument<FileInfo> ImportFileArgument = new("file") { Description = "Armored or binary secret key export" };

    private static Command CreateImport()
    {
        var command = new Command("import", "Import a secret key exported by GnuPG")
        {
            ImportFileArgument, PassphraseFileOption, KeyDirOption, PublishOption, SigstoreRootOption, UserOption,
        };
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            var file = parse.GetValue(ImportFileArgument)!;
            byte[] data;
            try
            {
                data = File.ReadAllBytes(file.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserException($"cannot read {file.FullName}: {e.Message}");
            }

            // Only a given passphrase file is checked here; a prompt would be surprising on import.
            var passphrase = parse.GetValue(PassphraseFileOption) is null ? null : ReadPassphrase(parse, confirm: false);
            var store = OpenStore(parse);
            foreach (var key in store.Import(data, passphrase))
            {
                output.WriteLine($"imported {TerminalText.Escape(Sigstore.Keys.SignerKeyStore.Describe(key))}");
                MaybePublish(parse, store, key, output);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
