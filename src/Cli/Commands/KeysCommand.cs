using System.CommandLine;
using U7s.Oci;
using U7s.Registry;
using U7s.Sigstore;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s keys generate|import|list|export</c>: the imagemaker's signing keys (SPEC §2.3), kept in
/// <c>--key-dir</c> (default <c>~/.local/share/u7s/keys</c>, secret files 0600), published as
/// <c>&lt;sigstore-root&gt;/keys/&lt;user&gt;.pgp</c> with <c>--publish</c>.
/// </summary>
internal static partial class KeysCommand
{
    internal static readonly Option<string> KeyDirOption = new("--key-dir")
    {
        Description = "Directory of this user's secret keys (default ~/.local/share/u7s/keys)",
        DefaultValueFactory = _ => SignerKeyStore.DefaultDirectory(),
    };

    internal static readonly Option<FileInfo?> PassphraseFileOption = new("--passphrase-file")
    {
        Description = "Read the key passphrase from the first line of this file",
    };

    internal static readonly Option<string> SigstoreRootOption = new("--sigstore-root")
    {
        Description = "The signature store tree (index.html, keys/, sigstore/): a directory, or s3://bucket[/prefix/] for replicas on S3",
        DefaultValueFactory = _ => "/var/sigstore",
    };

    private static readonly Option<bool> PublishOption = new("--publish")
    {
        Description = "Also publish the public key as <sigstore-root>/keys/<user>.pgp (0644)",
    };

    private static readonly Option<string> UserOption = new("--user")
    {
        Description = "Name of the published key file (default: the current user)",
        DefaultValueFactory = _ => Environment.UserName,
    };

    public static Command Create()
    {
        var command = new Command("keys", "Manage the imagemaker's OpenPGP signing keys");
        command.Subcommands.Add(CreateGenerate());
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateExport());
        return command;
    }

    /// <summary>The key store of <c>--key-dir</c>, which refuses to write secrets into the trees the server publishes.</summary>
    internal static SignerKeyStore OpenStore(ParseResult parse)
    {
        string[] served = [new SigstoreOptions().Root, new RegistryOptions().DataRoot];
        if (parse.CommandResult.Command.Options.Contains(SigstoreRootOption) && parse.GetValue(SigstoreRootOption) is { } root && !Wiring.SigstoreTrees.IsS3(root))
        {
            served = [.. served, root];
        }

        return new(parse.GetValue(KeyDirOption)!, new BouncyCastleOpenPgp(), TimeProvider.System) { ServedRoots = served };
    }

    /// <summary>
    /// The passphrase from <c>--passphrase-file</c> (first line), else a no-echo prompt when stdin is
    /// a terminal, else null (the caller decides whether that is an error).
    /// </summary>
    internal static string? ReadPassphrase(ParseResult parse, bool confirm)
    {
        if (parse.GetValue(PassphraseFileOption) is { } file)
        {
            try
            {
                using var reader = file.OpenText();
                return reader.ReadLine() ?? string.Empty;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserException($"cannot read passphrase file {file.FullName}: {e.Message}");
            }
        }

        if (Console.IsInputRedirected)
        {
            return null;
        }

        var first = Prompt("Passphrase: ");
        if (confirm && Prompt("Repeat passphrase: ") != first)
        {
            throw new UserException("the passphrases differ");
        }

        return first;
    }

    private static void MaybePublish(ParseResult parse, SignerKeyStore store, StoredKey key, TextWriter output)
    {
        if (!parse.GetValue(PublishOption))
        {
            return;
        }

        try
        {
            var root = parse.GetValue(SigstoreRootOption)!;
            var path = Wiring.SigstoreTrees.IsS3(root)
                ? root.TrimEnd('/') + "/" + PublicKeyPublisher.PublishAsync(Wiring.SigstoreTrees.Open(root), parse.GetValue(UserOption)!, store.ExportPublic(key), CancellationToken.None).GetAwaiter().GetResult()
                : PublicKeyPublisher.Publish(root, parse.GetValue(UserOption)!, store.ExportPublic(key));
            output.WriteLine($"published {path}");
        }
        catch (StorageException e)
        {
            throw new UserException($"cannot publish the public key: {e.Message}", ExitCodes.Unavailable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"cannot publish the public key: {e.Message}", ExitCodes.Failure);
        }
    }

    private static string Prompt(string text)
    {
        Console.Error.Write(text);
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return new string([.. chars]);
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Count > 0)
                {
                    chars.RemoveAt(chars.Count - 1);
                }
            }
            else
            {
                chars.Add(key.KeyChar);
            }
        }
    }

    /// <summary>Runs a key-store action, mapping key problems to one-line user errors.</summary>
    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (KeyStoreException e)
        {
            throw new UserException(e.Message, ExitCodes.Usage);
        }
        catch (OpenPgpException e)
        {
            throw new UserException(e.Message, ExitCodes.InvalidInput);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UserException(e.Message, ExitCodes.Failure);
        }
    }
}
