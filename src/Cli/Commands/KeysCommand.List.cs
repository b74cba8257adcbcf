using System.CommandLine;

namespace U7s.Cli.Commands;

/// <summary><c>u7s keys list</c> and <c>u7s keys export</c>.</summary>
internal static partial class KeysCommand
{
    private static readonly Argument<string> SelectorArgument = new("key") { Description = "E-mail (exact) or full fingerprint of the key" };
    private static readonly Option<FileInfo?> OutputOption = new("--output", "-o") { Description = "Write the armored key here instead of stdout" };
    private static readonly Option<bool> SecretOption = new("--secret")
    {
        Description = "Export the secret key (as stored: protected by its passphrase, or clear) for gpg --import; file mode 0600",
    };

    private static Command CreateList()
    {
        var command = new Command("list", "List the stored signing keys") { KeyDirOption };
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            var store = OpenStore(parse);

            // As sign and export do for a key they cannot find: name the directory looked in.
            if (!Directory.Exists(store.Directory))
            {
                throw new UserException($"no key directory {store.Directory} (u7s keys generate or import creates it; --key-dir chooses another)");
            }

            var keys = store.List();
            if (keys.Count == 0)
            {
                parse.InvocationConfiguration.Error.WriteLine($"no keys in {store.Directory}");
            }

            foreach (var key in keys)
            {
                output.WriteLine(TerminalText.Escape(Sigstore.Keys.SignerKeyStore.Describe(key)));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateExport()
    {
        var command = new Command("export", "Print (or publish) the armored public key, or with --secret the secret key")
        {
            SelectorArgument, OutputOption, SecretOption, KeyDirOption, PublishOption, SigstoreRootOption, UserOption,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(SecretOption) && result.GetValue(PublishOption))
            {
                result.AddError("--secret cannot be published");
            }
        });
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            var store = OpenStore(parse);
            var key = store.Select(parse.GetValue(SelectorArgument)!);
            if (parse.GetValue(SecretOption))
            {
                var secret = store.ExportSecret(key);
                if (parse.GetValue(OutputOption) is { } secretFile)
                {
                    try
                    {
                        Sigstore.Keys.SignerKeyStore.WriteSecret(secretFile.FullName, secret);
                    }
                    catch (IOException e)
                    {
                        throw new UserException($"cannot write {secretFile.FullName}: {e.Message}", ExitCodes.Failure);
                    }
                }
                else
                {
                    output.Write(System.Text.Encoding.ASCII.GetString(secret));
                }

                return ExitCodes.Success;
            }

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
