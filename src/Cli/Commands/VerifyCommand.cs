using System.CommandLine;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s verify &lt;image&gt; [--policy FILE]</c>: every stored signature of the manifest the
/// registry serves (index, signer, identity, digest, ok or why), then the policy verdict. Exits 0
/// when a trusted signature (with <c>--policy</c>: the policy) accepts the image, 4 when not.
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

    private static readonly HttpClient Http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(1));

    private static readonly Option<FileInfo[]> KeyringOption = new("--keyring")
    {
        Description = "Trusted public keys for the per-signature listing (default: every *.pgp in --trusted-keys)",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string> TrustedKeysOption = new("--trusted-keys")
    {
        Description = "Root-owned directory of the keys this node trusts, which create-policy and create-imagemakeruser write; never the served <sigstore-root>/keys, which imagemakers can change",
        DefaultValueFactory = _ => Cluster.Node.NodePaths.TrustedKeys,
    };

    public static Command Create()
    {
        var command = new Command("verify", "List an image's signatures and evaluate the policy; exit 0 when they (or the policy) accept the image, 4 when not")
        {
            ImageArgument, PolicyOption, KeyringOption, TrustedKeysOption, LookasideOption, KeysCommand.SigstoreRootOption, SignCommand.RegistryUrlOption,
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
        var trusted = await LoadKeyringsAsync(parse, evaluator?.Policy, pgp, cancellationToken);
        var manifest = await SignCommand.FetchManifestAsync(parse, reference, cancellationToken);
        var digest = reference.Digest ?? manifest.Digest;
        var (signatures, location) = await ReadSignaturesAsync(parse, root, reference, digest, cancellationToken);

        output.WriteLine(signatures.Count == 0
            ? $"{reference} {digest}: no signature at {location}signature-1"
            : $"{reference} {digest}: {signatures.Count} signature(s) in {location}");
        var intended = DockerReference.From(reference).WithDefaultTag();
        var verifier = new SignatureVerifier(pgp, TimeProvider.System);
        var anyAccepted = false;
        foreach (var signature in signatures)
        {
            var check = signature.Content is { } content
                ? verifier.Check(content, trusted, digest, id => SignedIdentity.Default.Matches(intended, id), cancellationToken)
                : new SignatureCheck(false, null, null, signature.Problem);
            anyAccepted |= check.IsAccepted;
            // Identity and reason quote the signed payload: escaped, a payload cannot write its own "ok" line.
            output.WriteLine(string.Join(
                '\t',
                $"signature-{signature.Index}",
                TerminalText.Escape(check.SignerFingerprint ?? "-"),
                TerminalText.Escape(check.Identity ?? "-"),
                check.ManifestDigest?.ToString() ?? "-",
                check.IsAccepted ? "ok" : "rejected: " + TerminalText.Escape(check.Reason)));
        }

        if (evaluator is null)
        {
            return anyAccepted ? ExitCodes.Success : ExitCodes.Refused;
        }

        if (signatures.FirstOrDefault(s => s.Content is null) is { } unreadable)
        {
            // containers/image fails the whole pull on a signature it cannot read, whatever the others say.
            output.WriteLine($"policy: rejected: reading signature-{unreadable.Index}: {TerminalText.Escape(unreadable.Problem)}");
            return ExitCodes.Refused;
        }

        var verdict = await evaluator.EvaluateAsync(reference, digest, signatures.Select(s => s.Content!).ToList(), cancellationToken);
        output.WriteLine($"policy: {TerminalText.Escape(verdict.ToString())}");
        if (verdict is { IsAllowed: true, AcceptsAnything: true })
        {
            parse.InvocationConfiguration.Error.WriteLine($"warning: the policy accepts any image in scope {verdict.Scope} (insecureAcceptAnything); no signature was checked");
        }

        return verdict.IsAllowed ? ExitCodes.Success : ExitCodes.Refused;
    }

    /// <summary>
    /// The signatures 1, 2, … as a node reads them (stopping at the first gap), and where they were
    /// looked for. In the tree, a file larger than containers/image reads is listed with its problem
    /// rather than ending the command; over HTTP such a file fails the read as it fails a node's pull.
    /// </summary>
    private static async Task<(List<ListedSignature> Signatures, string Location)> ReadSignaturesAsync(ParseResult parse, string root, Reference reference, Digest digest, CancellationToken cancellationToken)
    {
        var repository = LookasidePath.RepositoryOf(reference);
        var relative = SignatureStore.RelativeDirectory(repository, digest) + "/";
        var signatures = new List<ListedSignature>();
        try
        {
            if (parse.GetValue(LookasideOption) is { } lookaside)
            {
                await foreach (var s in new LookasideClient(Http).ListAsync(lookaside, repository, digest, cancellationToken))
                {
                    signatures.Add(new ListedSignature(s.Index, s.Content, null));
                }

                return (signatures, $"{lookaside.ToString().TrimEnd('/')}/{relative}");
            }

            var tree = Wiring.SigstoreTrees.Open(root);
            for (var index = 1; index <= SignatureStore.MaxSignatures; index++)
            {
                var path = SignatureStore.TreePath(repository, digest, index);
                try
                {
                    if (await tree.ReadAllOrNullAsync(path, SignatureStore.MaxSignatureBytes, cancellationToken) is not { } content)
                    {
                        break;
                    }

                    signatures.Add(new ListedSignature(index, content, null));
                }
                catch (InvalidDataException)
                {
                    signatures.Add(new ListedSignature(index, null, $"larger than {SignatureStore.MaxSignatureBytes / (1024 * 1024)} MiB, which containers/image refuses to read"));
                }
            }

            var directory = $"{SignatureStore.TreeDirectory}/{relative}";
            return (signatures, tree is FileSystemSigstoreTree files ? files.FullPath(directory.TrimEnd('/')) + "/" : $"{root.TrimEnd('/')}/{directory}");
        }
        catch (SignatureStoreException e)
        {
            throw new UserException(e.Message, ExitCodes.Unavailable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            throw new UserException($"cannot read the signatures: {e.Message}", ExitCodes.Unavailable);
        }
    }

    /// <summary>
    /// The keys the per-signature listing trusts: <c>--keyring</c>; else the keys <c>--policy</c> names (the verdict
    /// trusts those and no others); else the node's trusted key directory.
    /// </summary>
    private static async Task<TrustedKeyring> LoadKeyringsAsync(ParseResult parse, PolicyDocument? policy, BouncyCastleOpenPgp pgp, CancellationToken cancellationToken)
    {
        try
        {
            var keys = new List<byte[]>();
            if (parse.GetValue(KeyringOption) is { Length: > 0 } given)
            {
                foreach (var file in given)
                {
                    keys.Add(await File.ReadAllBytesAsync(file.FullName, cancellationToken));
                }
            }
            else if (policy is not null)
            {
                foreach (var requirement in policy.Default.Concat(policy.Transports.Values.SelectMany(t => t.Values.SelectMany(r => r))))
                {
                    keys.AddRange(requirement.KeyData is { } data ? [data] : []);
                    // A missing one trusts nothing; the verdict says so.
                    foreach (var file in (requirement.KeyPaths ?? []).Where(File.Exists))
                    {
                        keys.Add(await File.ReadAllBytesAsync(file, cancellationToken));
                    }
                }
            }
            else
            {
                keys.AddRange(await ReadTrustedKeysAsync(Path.GetFullPath(parse.GetValue(TrustedKeysOption)!), cancellationToken));
            }

            return TrustedKeyring.Load(pgp, keys, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenPgpException)
        {
            throw new UserException($"cannot read the trusted keys: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    /// <summary>
    /// The node's trusted keys: every <c>*.pgp</c> of a directory only root can change. A self-published key in the
    /// served <c>keys/</c> proves nothing, since every imagemaker can put one there.
    /// </summary>
    private static async Task<List<byte[]>> ReadTrustedKeysAsync(string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new UserException($"no trusted keys: {directory} does not exist (run u7s create-policy, or create-imagemakeruser on the registry node), or give --keyring", ExitCodes.Refused);
        }

        var keys = new List<byte[]>();
        foreach (var file in Directory.GetFiles(directory, "*.pgp").Order(StringComparer.Ordinal))
        {
            if (Security.Files.TrustedFile.Problem(file, "--trusted-keys") is { } problem)
            {
                throw new UserException(problem, ExitCodes.Refused);
            }

            keys.Add(await File.ReadAllBytesAsync(file, cancellationToken));
        }

        return keys.Count > 0 ? keys : throw new UserException($"no trusted keys in {directory}, or give --keyring", ExitCodes.Refused);
    }

    /// <summary>One <c>signature-N</c>: its bytes, or why they could not be read.</summary>
    private sealed record ListedSignature(int Index, byte[]? Content, string? Problem);
}
