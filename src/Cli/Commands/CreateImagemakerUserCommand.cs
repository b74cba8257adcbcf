using System.CommandLine;
using U7s.Cli.Wiring;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Cluster.Users;
using U7s.Oci;
using U7s.S3;
using U7s.S3.Sigstore;
using U7s.Security.Files;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Sigstore.OpenPgp;

namespace U7s.Cli.Commands;

/// <summary><c>u7s create-imagemakeruser user[@scope]…</c>: signer accounts, keys and trust (SPEC §4).</summary>
internal static class CreateImagemakerUserCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var common = new NodeCommandOptions();
        var users = new Argument<string[]>("user[@scope]")
        {
            Description = "Imagemaker account and the policy scope its key signs for (default: the registry name)",
            Arity = ArgumentArity.OneOrMore,
        };
        var email = new Option<string?>("--email") { Description = "E-mail of the signing key (one user only; default user@host)" };
        var staging = new Option<string>("--staging-url")
        {
            Description = "file:// lookaside-staging written to the user's registries.d",
            DefaultValueFactory = _ => RegistriesD.StagingUrl,
        };
        var inPlace = new Option<bool>("--in-place")
        {
            Description = "Key paths inside policy.json point into --root (use the staging tree where it is) instead of node paths",
        };
        var htpasswd = new Option<string?>("--htpasswd") { Description = "Also give the user a registry login in this htpasswd file (the file Registry:Auth:Htpasswd names); one user only" };
        var passwordFile = new Option<string?>("--password-file") { Description = "File holding that login's password (with --htpasswd)" };
        var publishTo = new Option<string?>("--publish-to")
        {
            Description = "Also copy the authorization file (authz/signers.json) and the keys and policy nodes read into this S3 store (s3://bucket[/prefix/], the replicas' store)",
        };
        var signersFile = new Option<string>("--signers")
        {
            Description = "Root-owned authorization file that u7s serve takes push and signing rights from (Registry:Auth:Signers)",
            DefaultValueFactory = _ => SignersDocument.DefaultPath,
        };
        var keyAlgorithm = new Option<KeySpec>("--key-algorithm")
        {
            Description = "Kind of signing key generated for a user who has none: rsa3072 (the default), rsa2048 … rsa8192, or ed25519",
            HelpName = "rsa3072|rsa4096|ed25519",
            DefaultValueFactory = _ => SigstoreSignerKeyProvisioner.DefaultKey,
            CustomParser = r =>
            {
                if (KeySpec.TryParse(r.Tokens.Single().Value, out var spec))
                {
                    return spec;
                }

                r.AddError($"--key-algorithm must be rsa<bits> (2048-8192, a multiple of 8) or ed25519, not '{r.Tokens.Single().Value}'");
                return null;
            },
        };
        var command = new Command("create-imagemakeruser", "Create imagemaker users with signing keys and add them to the signature policy");
        command.Aliases.Add("create-imagemaker");
        command.Arguments.Add(users);
        command.Options.Add(email);
        command.Options.Add(staging);
        command.Options.Add(inPlace);
        command.Options.Add(htpasswd);
        command.Options.Add(passwordFile);
        command.Options.Add(publishTo);
        command.Options.Add(signersFile);
        command.Options.Add(keyAlgorithm);
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(email) is not null && result.GetValue(users) is { Length: > 1 })
            {
                result.AddError("--email applies to one user only");
            }

            if (result.GetValue(publishTo) is { } target && !SigstoreTrees.IsS3(target))
            {
                result.AddError($"--publish-to must be an s3:// signature tree: {target}");
            }

            if ((result.GetValue(htpasswd) is null) != (result.GetValue(passwordFile) is null))
            {
                result.AddError("--htpasswd and --password-file go together");
            }
            else if (result.GetValue(htpasswd) is not null && result.GetValue(users) is { Length: > 1 })
            {
                result.AddError("--htpasswd applies to one user only");
            }
        });
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            var root = common.NodeRoot(parse, environment);
            var options = common.Cluster(parse);
            options.PathsIncludeRoot = parse.GetValue(inPlace);
            options.Signers = parse.GetValue(signersFile)!;
            var plan = common.Plan(parse);
            ISignerKeyProvisioner signers = plan is not null ? new PlanningSignerKeys(plan)
                : environment.Signers ?? new SigstoreSignerKeyProvisioner(environment.Runner, environment.Time, parse.GetValue(keyAlgorithm), environment.Ownership);
            var stagingUrl = parse.GetValue(staging)!;
            if (!stagingUrl.StartsWith("file:///", StringComparison.Ordinal))
            {
                throw new UserException($"--staging-url must be a file:/// URL: {stagingUrl}");
            }

            var specs = parse.GetValue(users)!.Select(u => ImagemakerSpec.Parse(u, options.RegistryName)).ToList();
            var fixedEmail = parse.GetValue(email);
            var request = new CreateImagemakerRequest(specs, user => fixedEmail ?? $"{user}@{environment.HostName}", stagingUrl);
            var password = ReadPassword(parse.GetValue(passwordFile));
            var service = new ImagemakerService(new NodeFileWriter(root, environment.Time, environment.Ownership, plan), new SystemAccounts(root, environment.Runner, plan), signers, options);
            var report = await service.RunAsync(request, cancellationToken);
            if (plan is not null)
            {
                if (parse.GetValue(htpasswd) is { } login)
                {
                    plan.Add($"add a registry login for {specs[0].User} to {login}");
                }

                if (parse.GetValue(publishTo) is { } destination)
                {
                    plan.Add($"publish the authorization file, keys and policy to {destination}");
                }

                return NodeCommandOptions.PlanReport(plan);
            }

            if (parse.GetValue(htpasswd) is { } file && password is not null)
            {
                // Pushes over the network then need this login; the user's scopes decide where it may push.
                new HtpasswdFile(root.Resolve(file)).Set(specs[0].User, password);
                report = [.. report, $"{specs[0].User}: registry login added to {file}"];
            }

            if (parse.GetValue(publishTo) is { } target)
            {
                report = [.. report, .. await PublishAsync(root.Resolve(options.Signers), target, cancellationToken)];
            }

            return report;
        }));
        return command;
    }

    /// <summary>
    /// Replicas on S3 take rights from the bucket's <c>authz/signers.json</c> and serve keys to nodes from its
    /// <c>sigstore/keys/</c>: both are written from the root-owned authorization file this run just wrote,
    /// never from the served <c>keys/</c> on this disk, which imagemakers can change. Keys first, then the
    /// policy naming them, then the rights, so a replica never reads rights naming a key not there yet.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PublishAsync(string signersPath, string target, CancellationToken cancellationToken)
    {
        if (TrustedFile.Problem(signersPath, "the authorization file") is { } problem)
        {
            throw new UserException(problem, ExitCodes.Refused);
        }

        var content = await File.ReadAllBytesAsync(signersPath, cancellationToken);
        var signers = SignersDocument.Parse(content);
        var bucket = S3Bucket.Open(SigstoreTrees.S3Options(target));
        var tree = new S3SigstoreTree(bucket);
        try
        {
            foreach (var (user, key) in signers.Keys)
            {
                await tree.WriteAsync($"keys/{user}.pgp", System.Text.Encoding.ASCII.GetBytes(key), cancellationToken);
            }

            await tree.WriteAsync(SignerScopes.PolicyPath, System.Text.Encoding.UTF8.GetBytes(signers.PolicyJson), cancellationToken);
            await bucket.PutAsync(SignersDocument.S3Key, content, cancellationToken);
        }
        catch (StorageException e)
        {
            throw new UserException($"cannot publish to {target}: {e.Message}", ExitCodes.Unavailable);
        }
        finally
        {
            bucket.Dispose();
        }

        var published = signers.Keys.Keys.Select(u => $"keys/{u}.pgp").Append(SignerScopes.PolicyPath).Append(SignersDocument.S3Key);
        return [$"published {string.Join(", ", published)} to {target.TrimEnd('/')}/"];
    }

    private static string? ReadPassword(string? file)
    {
        if (file is null)
        {
            return null;
        }

        if (!File.Exists(file))
        {
            throw new UserException($"password file '{file}' does not exist");
        }

        var password = File.ReadAllText(file).TrimEnd('\r', '\n');
        return password.Length > 0 ? password : throw new UserException($"password file '{file}' is empty");
    }
}
