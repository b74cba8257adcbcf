using System.CommandLine;
using U7s.Sigstore.OpenPgp;

namespace U7s.Cli.Commands;

/// <summary><c>u7s keys generate</c>: a new RSA or Ed25519 primary key, non-interactive with flags.</summary>
internal static partial class KeysCommand
{
    private static readonly Option<string> NameOption = new("--name") { Description = "Real name of the user ID", Required = true };
    private static readonly Option<string> EmailOption = new("--email") { Description = "E-mail of the user ID; keys are selected by it", Required = true };
    private static readonly Option<string?> AlgorithmOption = new("--algorithm")
    {
        Description = "rsa4096 (the default), rsa2048 … rsa8192, or ed25519 (GnuPG's default; gpgme verifies it, some CRI-O builds do not)",
        HelpName = "rsa4096|ed25519",
    };

    private static readonly Option<int?> BitsOption = new("--bits") { Description = "RSA key size, 2048-8192 (default 4096); the same as --algorithm rsa<bits>" };
    private static readonly Option<bool> NoPassphraseOption = new("--no-passphrase") { Description = "Store the secret key unprotected (file mode 0600 still applies)" };

    private static Command CreateGenerate()
    {
        var command = new Command("generate", "Generate a signing key (RSA or Ed25519 primary key, no subkeys)")
        {
            NameOption, EmailOption, AlgorithmOption, BitsOption, PassphraseFileOption, NoPassphraseOption, KeyDirOption, PublishOption, SigstoreRootOption, UserOption,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(NoPassphraseOption) && result.GetValue(PassphraseFileOption) is not null)
            {
                result.AddError("--no-passphrase and --passphrase-file exclude each other");
            }

            if (ResolveKeySpec(result.GetValue(AlgorithmOption), result.GetValue(BitsOption), out var error) is null)
            {
                result.AddError(error!);
            }
        });
        command.SetAction(parse => Guard(() =>
        {
            var output = parse.InvocationConfiguration.Output;
            var spec = ResolveKeySpec(parse.GetValue(AlgorithmOption), parse.GetValue(BitsOption), out var error) ?? throw new UserException(error!);
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
            var key = store.Generate(parse.GetValue(NameOption)!, parse.GetValue(EmailOption)!, spec, passphrase);
            output.WriteLine($"generated {Sigstore.Keys.SignerKeyStore.Describe(key)}");
            output.WriteLine($"stored {key.Path}");
            MaybePublish(parse, store, key, output);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// The key to generate from <c>--algorithm</c> and <c>--bits</c> (either alone, or both naming the
    /// same RSA size); null with <paramref name="error"/> when they are invalid or disagree.
    /// </summary>
    internal static KeySpec? ResolveKeySpec(string? algorithm, int? bits, out string? error)
    {
        error = null;
        if (bits is { } size && KeySpec.RsaProblem(size) is { } problem)
        {
            error = "--bits: " + problem;
            return null;
        }

        if (algorithm is null || string.Equals(algorithm, "rsa", StringComparison.OrdinalIgnoreCase))
        {
            return bits is { } b ? KeySpec.Rsa(b) : KeySpec.Default;
        }

        if (!KeySpec.TryParse(algorithm, out var spec))
        {
            error = $"--algorithm must be rsa<bits> (2048-8192, a multiple of 8) or ed25519, not '{algorithm}'";
            return null;
        }

        if (bits is { } given && (spec.Algorithm != KeyAlgorithm.Rsa || spec.Bits != given))
        {
            error = $"--bits {given} contradicts --algorithm {spec}";
            return null;
        }

        return spec;
    }
}
