using System.CommandLine;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s verify &lt;image&gt; [--policy FILE]</c>: every stored signature of each manifest a node checks for the
/// image (the manifest the registry serves, or each platform manifest of an index): index, signer, identity,
/// digest, ok or why; then the one judge's verdict under the policy. Exits 0 when a trusted signature accepts each
/// of those manifests (with <c>--policy</c>: when the policy does), 4 when not.
/// </summary>
internal static class VerifyCommand
{
    private static readonly Argument<string> ImageArgument = new("image") { Description = "host/repository:tag or host/repository@sha256:…" };
    private static readonly Option<FileInfo?> PolicyOption = new("--policy") { Description = "Evaluate this policy.json (e.g. /etc/containers/policy.json)" };
    private static readonly Option<Uri?> LookasideOption = SignCommand.HttpUrlOption(
        "--lookaside", "Read signatures over HTTP from this lookaside (e.g. http://sigstore.local:81/sigstore/) instead of <sigstore-root>/sigstore");

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
        Wiring.Login.LoginOptions.AddTo(command);
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

        var trusted = await LoadKeyringsAsync(parse, evaluator?.Policy, pgp, cancellationToken);
        using var http = SignCommand.CreateHttp(parse, reference, parse.GetValue(LookasideOption));
        var manifest = await SignCommand.FetchManifestAsync(http, parse, reference, cancellationToken);
        var reader = new ImageEvidenceReader(new HttpManifestSource(http, parse.GetValue(SignCommand.RegistryUrlOption)), Signatures(parse, http));
        ImageEvidence evidence;
        try
        {
            evidence = await reader.ReadAsync(reference, manifest, cancellationToken);
        }
        catch (ImageJudgeException e)
        {
            throw new UserException(e.Message, e.InnerException is ManifestSourceException { IsRefusal: true } ? ExitCodes.Refused : ExitCodes.Unavailable);
        }

        if (evidence.IsIndex)
        {
            output.WriteLine($"{reference} {manifest.Digest}: an index of {evidence.Levels.Count} platform manifest(s); nodes check each one's own signatures, never the index's");
        }

        var intended = DockerReference.From(reference).WithDefaultTag();
        var verifier = new SignatureVerifier(pgp, TimeProvider.System);
        var everyLevelSigned = evidence.Levels.Count > 0;
        foreach (var level in evidence.Levels)
        {
            output.WriteLine(level.Signatures.Count == 0
                ? $"{reference} {level.Digest}: no signature at {level.Location}signature-1"
                : $"{reference} {level.Digest}: {level.Signatures.Count} signature(s) in {level.Location}");
            var anyAccepted = false;
            foreach (var signature in level.Signatures)
            {
                var check = signature.Content is { } content
                    ? verifier.Check(content, trusted, level.Digest, id => SignedIdentity.Default.Matches(intended, id), cancellationToken)
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

            everyLevelSigned &= anyAccepted;
        }

        if (evaluator is null)
        {
            // A node pulls one of the levels and checks its signatures: each must carry a trusted one.
            return everyLevelSigned ? ExitCodes.Success : ExitCodes.Refused;
        }

        var verdict = await new ImageJudge(reader, evaluator).EvaluateAsync(reference, evidence, cancellationToken);
        output.WriteLine($"policy: {TerminalText.Escape(verdict.ToString())}");
        if (verdict is { IsAccepted: true, Unchecked: true })
        {
            parse.InvocationConfiguration.Error.WriteLine($"warning: {verdict.Reason}");
        }

        return verdict.IsAccepted ? ExitCodes.Success : ExitCodes.Refused;
    }

    /// <summary>Where the signatures are read: <c>--lookaside</c> over HTTP as a node reads it, else the tree at <c>--sigstore-root</c>.</summary>
    private static ISignatureSource Signatures(ParseResult parse, HttpClient http)
    {
        if (parse.GetValue(LookasideOption) is { } lookaside)
        {
            return new LookasideSignatures(new LookasideClient(http), lookaside);
        }

        var root = parse.GetValue(KeysCommand.SigstoreRootOption)!;
        return new TreeSignatures(Wiring.SigstoreTrees.Open(root), root);
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
}
