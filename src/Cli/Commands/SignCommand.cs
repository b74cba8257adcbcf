using System.CommandLine;
using System.Reflection;
using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s sign &lt;image&gt; --key &lt;email|fingerprint&gt;</c>: fetch the manifest the registry serves,
/// sign identity = the reference as given, append as the next <c>signature-N</c> (SPEC §2.4); for
/// an index also every instance it lists (SPEC §2.7).
/// </summary>
internal static class SignCommand
{
    internal static readonly Option<Uri?> RegistryUrlOption = new("--registry-url")
    {
        Description = "Fetch manifests from this base URL instead of http://<image host>/ (e.g. http://127.0.0.1:80)",
        CustomParser = r =>
        {
            if (Uri.TryCreate(r.Tokens.Single().Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            r.AddError($"--registry-url '{r.Tokens.Single().Value}' is not an http(s) URL");
            return null;
        },
    };

    private static readonly Argument<string> ImageArgument = new("image") { Description = "host/repository:tag, exactly as nodes pull it (also the signed identity)" };
    private static readonly Option<string> KeyOption = new("--key") { Description = "Signer key: exact e-mail or full fingerprint", Required = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Append a new signature even if this key already signed this identity" };

    private static readonly HttpClient Http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(1));

    public static Command Create()
    {
        var command = new Command("sign", "Sign an image in the registry into the signature store")
        {
            ImageArgument, KeyOption, ForceOption, KeysCommand.PassphraseFileOption, KeysCommand.KeyDirOption, KeysCommand.SigstoreRootOption, RegistryUrlOption,
        };
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary><c>u7s &lt;version&gt;</c>, written into <c>optional.creator</c>.</summary>
    internal static string Creator =>
        "u7s " + (typeof(SignCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    internal static Reference ParseImage(string image)
    {
        if (!Reference.TryParse(image, out var reference))
        {
            throw new UserException($"'{image}' is not a valid image reference");
        }

        return reference;
    }

    internal static async Task<FetchedManifest> FetchManifestAsync(ParseResult parse, Reference reference, CancellationToken cancellationToken)
    {
        try
        {
            var source = new HttpManifestSource(Http, parse.GetValue(RegistryUrlOption));
            return await source.GetManifestOrNullAsync(reference, cancellationToken)
                ?? throw new UserException($"the registry has no manifest for {reference}", ExitCodes.Refused);
        }
        catch (ManifestSourceException e)
        {
            throw new UserException(e.Message, e.IsRefusal ? ExitCodes.Refused : ExitCodes.Unavailable);
        }
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var reference = ParseImage(parse.GetValue(ImageArgument)!);
        if (reference.Host is null || reference.Tag is null || reference.Digest is not null)
        {
            throw new UserException($"'{reference}' must be host/repository:tag (the identity nodes pull)");
        }

        var pgp = new BouncyCastleOpenPgp();
        SignerKey key;
        try
        {
            var keys = KeysCommand.OpenStore(parse);
            var stored = keys.Select(parse.GetValue(KeyOption)!);
            var passphrase = stored.Info.IsProtected
                ? KeysCommand.ReadPassphrase(parse, confirm: false) ?? throw new UserException($"key {stored.Info.Fingerprint} is protected: give --passphrase-file")
                : null;
            key = keys.Unlock(stored, passphrase);
        }
        catch (KeyStoreException e)
        {
            throw new UserException(e.Message);
        }

        var manifest = await FetchManifestAsync(parse, reference, cancellationToken);
        var root = parse.GetValue(KeysCommand.SigstoreRootOption)!;
        var tree = Wiring.SigstoreTrees.Open(root);
        var store = new SignatureStore(tree);
        IReadOnlyList<Digest> instances;
        try
        {
            instances = IndexInstances.Of(manifest);
        }
        catch (ManifestSourceException e)
        {
            throw new UserException(e.Message, ExitCodes.InvalidInput);
        }

        try
        {
            // The index itself first (skopeo parity), then every platform manifest: pulls verify those (SPEC §2.7).
            var signer = new ImageSigner(pgp, store, TimeProvider.System, Creator);
            foreach (var digest in instances.Prepend(manifest.Digest))
            {
                var outcome = await signer.SignAsync(reference, digest, key, parse.GetValue(ForceOption), cancellationToken);
                var relative = SignatureStore.TreePath(LookasidePath.RepositoryOf(reference), digest, outcome.Index);
                var path = tree is FileSystemSigstoreTree files ? files.FullPath(relative) : $"{root.TrimEnd('/')}/{relative}";
                output.WriteLine($"{outcome.Identity} {digest} signature-{outcome.Index} {(outcome.Created ? "written" : "already present")} {path}");
            }

            return ExitCodes.Success;
        }
        catch (SignatureStoreException e)
        {
            throw new UserException(e.Message, ExitCodes.Refused);
        }
        catch (StorageException e)
        {
            throw new UserException($"cannot write the signature: {e.Message}", ExitCodes.Unavailable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException)
        {
            throw new UserException($"cannot write the signature: {e.Message}", ExitCodes.Failure);
        }
    }
}
