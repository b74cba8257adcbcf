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
    internal static readonly Option<Uri?> RegistryUrlOption =
        HttpUrlOption("--registry-url", "Fetch manifests from this base URL instead of http://<image host>/ (e.g. http://127.0.0.1:80)");

    private static readonly Option<Uri?> SigstoreUrlOption = HttpUrlOption(
        "--sigstore-url", "Send signatures through this signature store's write API (e.g. http://sigstore.local:81) with your login, instead of writing --sigstore-root");

    private static readonly Argument<string> ImageArgument = new("image") { Description = "host/repository:tag, exactly as nodes pull it (also the signed identity)" };
    private static readonly Option<string> KeyOption = new("--key") { Description = "Signer key: exact e-mail or full fingerprint", Required = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Append a new signature even if this key already signed this identity" };

    public static Command Create()
    {
        var command = new Command("sign", "Sign an image in the registry into the signature store")
        {
            ImageArgument, KeyOption, ForceOption, KeysCommand.PassphraseFileOption, KeysCommand.KeyDirOption, KeysCommand.SigstoreRootOption, RegistryUrlOption, SigstoreUrlOption,
        };
        Wiring.Login.LoginOptions.AddTo(command);
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>An option holding an absolute http(s) URL; anything else is a parse error naming the option.</summary>
    internal static Option<Uri?> HttpUrlOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            if (Uri.TryCreate(r.Tokens.Single().Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            r.AddError($"{name} '{r.Tokens.Single().Value}' is not an http(s) URL");
            return null;
        },
    };

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

    /// <summary>
    /// The HTTP client of one sign or verify run, logged in as its options say; <c>--registry-url</c> and the other
    /// <paramref name="servers"/> (a lookaside, a signature store) fall back to the image host's login.
    /// </summary>
    internal static HttpClient CreateHttp(ParseResult parse, Reference reference, params Uri?[] servers)
    {
        var login = Wiring.Login.LoginOptions.Resolve(parse);
        foreach (var url in servers.Prepend(parse.GetValue(RegistryUrlOption)))
        {
            if (url is not null && reference.Host is { } host)
            {
                login.Alias(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}", host);
            }
        }

        return Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(1), login);
    }

    internal static async Task<FetchedManifest> FetchManifestAsync(HttpClient http, ParseResult parse, Reference reference, CancellationToken cancellationToken)
    {
        try
        {
            var source = new HttpManifestSource(http, parse.GetValue(RegistryUrlOption));
            return await source.GetManifestOrNullAsync(reference, cancellationToken)
                ?? throw new UserException($"the registry has no manifest for {reference}", ExitCodes.Refused);
        }
        catch (ManifestSourceException e) when (e is { Status: 403, ErrorCode: "DENIED" })
        {
            // The registry's signature enforcement: it serves an unsigned manifest only to users who may push to it.
            throw new UserException(
                $"signature enforcement on the registry refused to serve {reference} ({e.Message}); read it with the login of a user who may push to "
                + $"{reference.Repository} (--authfile FILE from podman login, or --creds), or sign it first",
                ExitCodes.Refused);
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

        var sigstoreUrl = parse.GetValue(SigstoreUrlOption);
        using var http = CreateHttp(parse, reference, sigstoreUrl);
        var manifest = await FetchManifestAsync(http, parse, reference, cancellationToken);
        IReadOnlyList<Digest> instances;
        try
        {
            instances = IndexInstances.Of(manifest);
        }
        catch (ManifestSourceException e)
        {
            throw new UserException(e.Message, ExitCodes.InvalidInput);
        }

        if (sigstoreUrl is not null)
        {
            return await SignRemotelyAsync(parse, http, sigstoreUrl, reference, [manifest.Digest, .. instances], key, pgp, cancellationToken);
        }

        var root = parse.GetValue(KeysCommand.SigstoreRootOption)!;
        var tree = Wiring.SigstoreTrees.Open(root);
        var store = new SignatureStore(tree);

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

    /// <summary>
    /// Signs each digest and sends it through the store's write API, which checks it and picks the index; a valid
    /// signature by the same key for the same identity already served there is kept unless <c>--force</c>.
    /// </summary>
    private static async Task<int> SignRemotelyAsync(
        ParseResult parse, HttpClient http, Uri sigstoreUrl, Reference reference, IReadOnlyList<Digest> digests, SignerKey key, BouncyCastleOpenPgp pgp, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var identity = reference.ToString();
        var repository = LookasidePath.RepositoryOf(reference);
        var lookaside = new LookasideClient(http);
        var uploads = new SignatureUploadClient(http);
        try
        {
            foreach (var digest in digests)
            {
                if (!parse.GetValue(ForceOption)
                    && await ImageSigner.FindEquivalentAsync(lookaside.ListAsync(new Uri(sigstoreUrl, "sigstore/"), repository, digest, cancellationToken), pgp, TimeProvider.System, digest, identity, key, cancellationToken) is { } existing)
                {
                    output.WriteLine($"{identity} {digest} signature-{existing} already present {sigstoreUrl}");
                    continue;
                }

                var signature = ImageSigner.CreateSignature(pgp, Creator, identity, digest, key, DateTimeOffset.UtcNow);
                var outcome = await uploads.UploadAsync(sigstoreUrl, repository, digest, signature, cancellationToken);
                if (!outcome.IsStored)
                {
                    throw new UserException(
                        outcome.Status switch
                        {
                            401 => $"the signature store {sigstoreUrl} needs a login: give --authfile FILE (from podman login) or --creds",
                            403 => $"the signature store {sigstoreUrl} refused the signature of {identity}: {TerminalText.Escape(outcome.Message)}",
                            _ => $"the signature store {sigstoreUrl} answered {outcome.Status}: {TerminalText.Escape(outcome.Message)}",
                        },
                        outcome.Status is 401 or 403 ? ExitCodes.Refused : outcome.Status is >= 400 and < 500 ? ExitCodes.InvalidInput : ExitCodes.Unavailable);
                }

                output.WriteLine($"{identity} {digest} signature-{outcome.Index?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} {(outcome.Status == 201 ? "uploaded" : "already present")} {outcome.Target}");
            }

            return ExitCodes.Success;
        }
        catch (SignatureStoreException e)
        {
            throw new UserException(e.Message, ExitCodes.Unavailable);
        }
    }
}
