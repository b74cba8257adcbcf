using System.CommandLine;

namespace U7s.Cli.Commands;

/// <summary><c>u7s keys generate</c>: a new RSA primary key, non-interactive with flags.</summary>
internal static partial class KeysCommand
{
    private static readonly Option<string> NameOption = new("--name") { Description = "Real name of the user ID", Required = true };
    private static readonly Option<string> EmailOption = new("--email") { Description = "E-mail of the user ID; keys are selected by it", Required = true };
    private static readonly Option<int> BitsOption = new("--bits") { Description = "RSA key size (2048-8192)", DefaultValueFactory = _ => 4096 };
    private static readonly Option<bool> NoPassphraseOption = new("--no-passphrase") { Description = "Store the secret key unprotected (file mode 0600 still applies)" };

    private static Command CreateGenerate()
    {
        var command = new Command("generate", "Generate a signing key (RSA primary key, no subkeys)")
        {
            NameOption, EmailOption, BitsOption, PassphraseFileOption, NoPassphraseOption, KeyDirOption, PublishOption, SigstoreRootOption, UserOption,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(NoPassphraseOption) && result.GetValue(PassphraseFileOption) is not null)
            {
                result.AddError("--no-passphrase and --passphrase-file exclude each other");
            }

            // A validator sees the default only through the parse result: without --bits there is nothing to check.
            if (result.GetResult(BitsOption) is not null && result.GetValue(BitsOption) is < 2048 or > 8192)
            {
                result.AddError("--bits must be between 2048 and 8192");
            }
        });
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            string? passphrase = null;
            if (!parse.GetValue(NoPassphraseOption))
            {
                passphrase = ReadPassphrase(parse, confirm: true)
                    ?? throw new UserException("give --passphrase-file FILE or --no-passphrase (no terminal to ask on)");
                if (passphrase.Length == 0)
                {
                    throw new UserException("empty passphrase: use --no-passphrase for an unprotected key");
                }
            }

            var store = OpenStore(parse);
            var key = store.Generate(parse.GetValue(NameOption)!, parse.GetValue(EmailOption)!, parse.GetValue(BitsOption), passphrase);
            output.WriteLine($"generated {Sigstore.Keys.SignerKeyStore.Describe(key)}");
            output.WriteLine($"stored {key.Path}");
            MaybePublish(parse, store, key, output);
            return ExitCodes.Success;
        }));
        return command;
    }
}
