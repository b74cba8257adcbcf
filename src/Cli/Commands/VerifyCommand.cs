using System.CommandLine;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s verify &lt;image&gt; [--policy FILE]</c>: every stored signature of the manifest the
/// registry serves (index, signer, identity, digest, ok or why), then the policy verdict.
/// </summary>
internal static class VerifyCommand
{
    private static readonly Argument<string> ImageArgument = new("image") { Description = "host/repository:tag or host/repository@sha256:…" };
    private static readonly Option<FileInfo?> PolicyOption = new("--policy") { Description = "Evaluate this policy.json (e.g. /etc/containers/policy.json)" };
    private static readonly Option<Uri?> LookasideOption = new("--lookaside")
    {
        Description = "Read signatures over HTTP from this lookaside (e.g. http://sigstore.local:81/sigstore/) instead of <sigstore-root>/sigstore",
        CustomParser = r =>
        {
            if (Uri.TryCreate(r.Tokens.Single().Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            r.AddError($"--lookaside '{r.Tokens.Single().Value}' is not an http(s) URL");
            return null;
        },
    };

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(1) };

    private static readonly Option<FileInfo[]> KeyringOption = new("--keyring")
    {
        Description = "Trusted public keys for the per-signature listing (default: every <sigstore-root>/keys/*.pgp)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var command = new Command("verify", "List an image's signatures and evaluate the policy")
        {
            ImageArgument, PolicyOption, KeyringOption, LookasideOption, KeysCommand.SigstoreRootOption, SignCommand.RegistryUrlOption,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var reference = SignCommand.ParseImage(parse.GetValue(ImageArgument)!);
        var pgp = new BouncyCastleOpenPgp();
        PolicyEvaluator? evaluator = null;
        if (parse.GetValue(PolicyOption) is { } policyFile)
        {
            try
            {
                evaluator = await PolicyEvaluator.LoadAsync(policyFile.FullName, pgp, TimeProvider.System, cancellationToken);
            }
            catch (PolicyException e)
            {
                throw new UserException(e.Message, ExitCodes.InvalidInput);
            }
        }

        var root = parse.GetValue(KeysCommand.SigstoreRootOption)!;
        var trusted = await LoadKeyringsAsync(parse, root, pgp, cancellationToken);
        var manifest = await SignCommand.FetchManifestAsync(parse, reference, cancellationToken);
        var digest = reference.Digest ?? manifest.Digest;
        var signatures = await ReadSignaturesAsync(parse, root, reference, digest, cancellationToken);

        output.WriteLine($"{reference} {digest}: {signatures.Count} signature(s)");
        var intended = DockerReference.From(reference).WithDefaultTag();
        var verifier = new SignatureVerifier(pgp, TimeProvider.System);
        var anyAccepted = false;
        for (var i = 0; i < signatures.Count; i++)
        {
            var check = verifier.Check(signatures[i], trusted, digest, id => SignedIdentity.Default.Matches(intended, id));
            anyAccepted |= check.IsAccepted;
            output.WriteLine(string.Join(
                '\t',
                $"signature-{i + 1}",
                check.SignerFingerprint ?? "-",
                check.Identity ?? "-",
                check.ManifestDigest?.ToString() ?? "-",
                check.IsAccepted ? "ok" : "rejected: " + check.Reason));
        }

        if (evaluator is null)
        {
            return anyAccepted ? ExitCodes.Success : ExitCodes.Refused;
        }

        var verdict = await evaluator.EvaluateAsync(reference, digest, signatures, cancellationToken);
        output.WriteLine($"policy: {verdict}");
        return verdict.IsAllowed ? ExitCodes.Success : ExitCodes.Refused;
    }

    private static async Task<List<byte[]>> ReadSignaturesAsync(ParseResult parse, string root, Reference reference, Digest digest, CancellationToken cancellationToken)
    {
        var repository = LookasidePath.RepositoryOf(reference);
        var listing = parse.GetValue(LookasideOption) is { } lookaside
            ? new LookasideClient(Http).ListAsync(lookaside, repository, digest, cancellationToken)
            : new SignatureStore(Wiring.SigstoreTrees.Open(root)).ListAsync(repository, digest, cancellationToken);
        var signatures = new List<byte[]>();
        try
        {
            await foreach (var s in listing)
            {
                signatures.Add(s.Content);
            }
        }
        catch (SignatureStoreException e)
        {
            throw new UserException(e.Message, ExitCodes.Unavailable);
        }

        return signatures;
    }

    private static async Task<TrustedKeyring> LoadKeyringsAsync(ParseResult parse, string root, BouncyCastleOpenPgp pgp, CancellationToken cancellationToken)
    {
        try
        {
            var keys = new List<byte[]>();
            if (parse.GetValue(KeyringOption) is { Length: > 0 } given)
            {
                keys.AddRange(given.Select(f => File.ReadAllBytes(f.FullName)));
            }
            else
            {
                // Every published key of the tree, on disk or in the replicas' bucket alike.
                var tree = Wiring.SigstoreTrees.Open(root);
                var entries = await tree.ListDirectoryOrNullAsync("keys", cancellationToken) ?? [];
                foreach (var name in entries.Where(e => !e.IsDirectory && e.Name.EndsWith(".pgp", StringComparison.Ordinal)).Select(e => e.Name).Order(StringComparer.Ordinal))
                {
                    keys.Add(await tree.ReadAllOrNullAsync($"keys/{name}", 1024 * 1024, cancellationToken) ?? []);
                }
            }

            return TrustedKeyring.Load(pgp, keys, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenPgpException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            throw new UserException($"cannot read the trusted keys: {e.Message}", ExitCodes.InvalidInput);
        }
    }
}
