using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Cli.Wiring;
using U7s.Oci;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s kubeadm init|join …</c> (SPEC §5.5): every flag is parsed and honoured or refused (podsec
/// dropped most of them); other subcommands (<c>reset</c>, <c>token create</c>…) go to kubeadm as given.
/// Flag names follow kubeadm's own.
/// </summary>
internal static class KubeadmCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var rest = new Argument<string[]>("kubeadm-arguments") { Arity = ArgumentArity.ZeroOrMore, Description = "Any other kubeadm subcommand, passed through" };
        var command = new Command("kubeadm", "Bootstrap Kubernetes from the signed local registry (init, join); other subcommands go to kubeadm")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(rest);
        command.Subcommands.Add(Init(environment));
        command.Subcommands.Add(Join(environment));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var tokens = parse.Tokens.SkipWhile(t => !(t.Type == TokenType.Command && t.Value == "kubeadm")).Skip(1).Select(t => t.Value).ToList();
            if (tokens.Count == 0)
            {
                throw new UserException("give a subcommand: u7s kubeadm init|join|<kubeadm subcommand>");
            }

            var outcome = await Runner(environment, parse).RunAsync(tokens, cancellationToken);
            return outcome.ExitCode;
        });
        return command;
    }

    private static Command Init(NodeEnvironment environment)
    {
        var shared = new SharedOptions();
        var advertise = new Option<string>("--apiserver-advertise-address", "--advertise-address") { Description = "This node's API server address (not the registry IP)", Required = true };
        var endpoint = new Option<string?>("--control-plane-endpoint") { Description = "host:port every node uses for the API (haproxy for HA; default advertise:bind-port)" };
        var podCidr = new Option<string>("--pod-network-cidr") { DefaultValueFactory = _ => "10.244.0.0/16", Description = "Pod network (flannel needs 10.244.0.0/16)" };
        var serviceCidr = new Option<string>("--service-cidr") { DefaultValueFactory = _ => "10.96.0.0/12" };
        var dnsDomain = new Option<string>("--service-dns-domain") { DefaultValueFactory = _ => "cluster.local" };
        var token = new Option<string?>("--token") { Description = "Bootstrap token [a-z0-9]{6}.[a-z0-9]{16} (default: generated)" };
        var tokenTtl = new Option<string>("--token-ttl") { DefaultValueFactory = _ => "24h0m0s", Description = "Token lifetime (0s = never expires)" };
        var certificateKey = new Option<string?>("--certificate-key") { Description = "64 hex digits encrypting the uploaded certificates (default: generated)" };
        var flannel = new Option<string>("--flannel-image-tag") { DefaultValueFactory = _ => KubeadmImages.Defaults.Flannel };
        var flannelCni = new Option<string>("--flannel-cni-image-tag") { DefaultValueFactory = _ => KubeadmImages.Defaults.FlannelCniPlugin };
        var noFlannel = new Option<bool>("--no-flannel") { Description = "Neither require nor apply flannel (install a CNI yourself)" };

        var command = new Command("init", "Check the node, write the kubeadm config and run kubeadm init --upload-certs");
        shared.AddTo(command);
        foreach (var option in new Option[] { advertise, endpoint, podCidr, serviceCidr, dnsDomain, token, tokenTtl, certificateKey, flannel, flannelCni, noFlannel })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            shared.Validate(result);
            Check(result, advertise, IsIp, "not an IP address");
            Check(result, endpoint, v => v is null || IsHostPort(v), "not host:port");
            Check(result, podCidr, v => IPNetwork.TryParse(v, out _), "not a CIDR");
            Check(result, serviceCidr, v => IPNetwork.TryParse(v, out _), "not a CIDR");
            Check(result, token, v => v is null || JoinSecrets.IsToken(v), "must match [a-z0-9]{6}.[a-z0-9]{16}");
            Check(result, tokenTtl, v => GoDuration.TryParse(v, out _), "not a duration such as 24h0m0s");
            Check(result, certificateKey, v => v is null || JoinSecrets.IsCertificateKey(v), "must be 64 lower-case hex digits");
            Check(result, flannel, v => Tag.TryParse(v, out _), "not a tag");
            Check(result, flannelCni, v => Tag.TryParse(v, out _), "not a tag");
        });
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            using var http = environment.CreateHttpClient(shared.Login(parse));
            var (service, options, version, tags) = shared.Build(parse, environment, http);
            var address = parse.GetValue(advertise)!;
            var bindPort = parse.GetValue(shared.BindPort);
            var settings = new InitSettings
            {
                AdvertiseAddress = address,
                BindPort = bindPort,
                ControlPlaneEndpoint = parse.GetValue(endpoint) ?? $"{address}:{bindPort}",
                KubernetesVersion = version,
                ImageRepository = options.ImageRepository,
                Tags = tags,
                PodSubnet = parse.GetValue(podCidr)!,
                ServiceSubnet = parse.GetValue(serviceCidr)!,
                DnsDomain = parse.GetValue(dnsDomain)!,
                CriSocket = parse.GetValue(shared.CriSocket)!,
                NodeName = parse.GetValue(shared.NodeName),
                Token = parse.GetValue(token) ?? JoinSecrets.NewToken(),
                TokenTtl = parse.GetValue(tokenTtl)!,
                CertificateKey = parse.GetValue(certificateKey) ?? JoinSecrets.NewCertificateKey(),
                EtcdDataDir = parse.GetValue(shared.EtcdDataDir)!,
                IgnorePreflightErrors = shared.IgnoredPreflightErrors(parse),
            };
            var flannelImages = parse.GetValue(noFlannel)
                ? null
                : new FlannelImages($"{options.ImageRepository}/flannel:{parse.GetValue(flannel)}", $"{options.ImageRepository}/flannel-cni-plugin:{parse.GetValue(flannelCni)}");
            return await service.InitAsync(settings, shared.RunOptions(parse) with { Flannel = flannelImages }, cancellationToken);
        }));
        return command;
    }

    private static Command Join(NodeEnvironment environment)
    {
        var shared = new SharedOptions();
        var endpoint = new Argument<string?>("api-server-endpoint") { Arity = ArgumentArity.ZeroOrOne, Description = "host:port of the API (default: from the join data)" };
        var token = new Option<string?>("--token");
        var hash = new Option<string?>("--discovery-token-ca-cert-hash") { Description = "sha256:<hex> of the cluster CA public key" };
        var controlPlane = new Option<bool>("--control-plane") { Description = "Join as a control-plane node" };
        var certificateKey = new Option<string?>("--certificate-key");
        var advertise = new Option<string?>("--apiserver-advertise-address", "--advertise-address") { Description = "This node's API server address (control plane)" };

        var command = new Command("join", "Check the node, write the kubeadm join config and run kubeadm join");
        command.Arguments.Add(endpoint);
        shared.AddTo(command);
        foreach (var option in new Option[] { token, hash, controlPlane, certificateKey, advertise })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            shared.Validate(result);
            Check(result, endpoint, v => v is null || IsHostPort(v), "not host:port");
            Check(result, token, v => v is null || JoinSecrets.IsToken(v), "must match [a-z0-9]{6}.[a-z0-9]{16}");
            Check(result, hash, v => v is null || JoinSecrets.IsCaCertHash(v), "must be sha256:<64 hex>");
            Check(result, certificateKey, v => v is null || JoinSecrets.IsCertificateKey(v), "must be 64 lower-case hex digits");
            Check(result, advertise, v => v is null || IsIp(v), "not an IP address");
            if (result.GetValue(certificateKey) is not null && !result.GetValue(controlPlane))
            {
                result.AddError("--certificate-key applies to --control-plane joins only");
            }
        });
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            using var http = environment.CreateHttpClient(shared.Login(parse));
            var (service, options, version, tags) = shared.Build(parse, environment, http);
            var request = new JoinRequest
            {
                ApiServerEndpoint = parse.GetValue(endpoint),
                Token = parse.GetValue(token),
                CaCertHash = parse.GetValue(hash),
                ControlPlane = parse.GetValue(controlPlane),
                CertificateKey = parse.GetValue(certificateKey),
                AdvertiseAddress = parse.GetValue(advertise),
                BindPort = parse.GetValue(shared.BindPort),
                CriSocket = parse.GetValue(shared.CriSocket)!,
                NodeName = parse.GetValue(shared.NodeName),
                IgnorePreflightErrors = shared.IgnoredPreflightErrors(parse),
                Images = KubeadmImages.Required(options.ImageRepository, version, tags),
                PauseImage = $"{options.ImageRepository}/pause:{tags.Pause}",
                EtcdDataDir = parse.GetValue(shared.EtcdDataDir)!,
            };
            return await service.JoinAsync(request, shared.RunOptions(parse), cancellationToken);
        }));
        return command;
    }

    private static IKubeadmRunner Runner(NodeEnvironment environment, ParseResult parse) =>
        environment.Kubeadm ?? new KubeadmRunner(parse.InvocationConfiguration.Output);

    private static bool IsIp(string? value) => value is not null && KubeadmConfigReader.IsIpAddress(value);

    private static bool IsHttpUrl(string? value) => value is null || HttpUrl(value) is not null;

    private static Uri? HttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and < 65536;
    }

    private static void Check<T>(CommandResult result, Option<T> option, Func<T?, bool> valid, string problem)
    {
        if (result.GetResult(option) is not null && !valid(result.GetValue(option)))
        {
            result.AddError($"{option.Name}: {result.GetValue(option)}: {problem}");
        }
    }

    private static void Check<T>(CommandResult result, Argument<T> argument, Func<T?, bool> valid, string problem)
    {
        if (!valid(result.GetValue(argument)))
        {
            result.AddError($"{argument.Name}: {result.GetValue(argument)}: {problem}");
        }
    }

    /// <summary>Options init and join share, and the wiring of the service from them.</summary>
    private sealed class SharedOptions
    {
        private readonly NodeCommandOptions _node = new();

        public Option<int> BindPort { get; } = new("--apiserver-bind-port") { DefaultValueFactory = _ => 6443 };

        public Option<string> CriSocket { get; } = new("--cri-socket") { DefaultValueFactory = _ => "unix:///var/run/crio/crio.sock" };

        public Option<string?> NodeName { get; } = new("--node-name");

        public Option<string[]> IgnorePreflight { get; } = new("--ignore-preflight-errors") { Description = "kubeadm checks to ignore (comma list); U7s's own checks cannot be skipped", AllowMultipleArgumentsPerToken = false };

        public Option<string> KubernetesVersion { get; } = new("--kubernetes-version")
        {
            DefaultValueFactory = _ => KubeadmImages.Defaults.KubernetesVersion,
            Description = $"Kubernetes release; pause, etcd and CoreDNS tags are built in for {KubeadmImages.Coverage}",
        };

        public Option<string?> EtcdTag { get; } = new("--etcd-image-tag");

        public Option<string?> CoreDnsTag { get; } = new("--coredns-image-tag");

        public Option<string?> PauseTag { get; } = new("--pause-image-tag");

        public Option<string> EtcdDataDir { get; } = new("--etcd-data-dir") { DefaultValueFactory = _ => "/var/lib/etcd" };

        public Option<bool> WipeEtcdData { get; } = new("--wipe-etcd-data") { Description = "Delete a leftover etcd data directory (refused without this flag)" };

        public Option<string> JoinData { get; } = new("--join-data") { DefaultValueFactory = _ => JoinMaterialStore.DefaultPath, Description = "Root-only file with token, CA hash, certificate key and expiry" };

        public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Run the preflight, then print the config (certificate key hidden) and the kubeadm command; change nothing" };

        public Option<bool> PreflightOnly { get; } = new("--preflight-only") { Description = "Run only the preflight checks; change nothing" };

        public Option<int?> Verbosity { get; } = new("-v", "--v") { Description = "kubeadm log verbosity, passed through" };

        public Option<string?> Config { get; } = new("--config") { Description = "Not accepted: u7s writes the config (see --dry-run)" };

        public Option<string?> RegistryUrl { get; } = new("--registry-url") { Description = "Preflight reaches the registry here instead of http://<registry name>/ (e.g. http://127.0.0.1:5000/)" };

        public Option<string?> LookasideUrl { get; } = new("--lookaside-url") { Description = "Preflight reads signatures here instead of the lookaside registries.d names" };

        public void AddTo(Command command)
        {
            command.Options.Add(_node.Root);
            command.Options.Add(_node.RegistryName);
            command.Options.Add(_node.RegistryPort);
            command.Options.Add(_node.Platform);
            Wiring.Login.LoginOptions.AddTo(command);
            foreach (var option in new Option[] { BindPort, CriSocket, NodeName, IgnorePreflight, KubernetesVersion, EtcdTag, CoreDnsTag, PauseTag, EtcdDataDir, WipeEtcdData, JoinData, DryRun, PreflightOnly, Verbosity, Config, RegistryUrl, LookasideUrl })
            {
                command.Options.Add(option);
            }
        }

        public void Validate(CommandResult result)
        {
            if (result.GetResult(Config) is not null)
            {
                result.AddError("--config is not accepted: u7s writes the kubeadm config itself (use --dry-run to see it, flags to change it)");
            }

            Check(result, KubernetesVersion, v => Cluster.Kubeadm.KubernetesVersion.TryParse(v, out _), "not a version such as v1.26.3");
            if (result.GetValue(DryRun) && result.GetValue(PreflightOnly))
            {
                result.AddError("--dry-run and --preflight-only exclude each other");
            }

            Check(result, CriSocket, v => v is not null && v.StartsWith("unix:///", StringComparison.Ordinal), "must be unix:///path");
            Check(result, BindPort, v => v is > 0 and < 65536, "not a port");
            Check(result, Verbosity, v => v is null or (>= 0 and <= 10), "must be 0-10");
            Check(result, EtcdDataDir, v => v is not null && v.StartsWith('/'), "must be absolute");
            Check(result, RegistryUrl, IsHttpUrl, "not an absolute http(s) URL");
            Check(result, LookasideUrl, IsHttpUrl, "not an absolute http(s) URL");
            foreach (var tag in new[] { EtcdTag, CoreDnsTag, PauseTag })
            {
                Check(result, tag, v => v is null || Tag.TryParse(v, out _), "not a tag");
            }
        }

        /// <summary>The preflight's login; <c>--registry-url</c> and <c>--lookaside-url</c> fall back to the registry name's entry.</summary>
        public Wiring.Login.RegistryLogin Login(ParseResult parse)
        {
            var login = Wiring.Login.LoginOptions.Resolve(parse);
            foreach (var url in new[] { HttpUrl(parse.GetValue(RegistryUrl)), HttpUrl(parse.GetValue(LookasideUrl)) })
            {
                if (url is not null)
                {
                    login.Alias(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}", _node.RegistryScope(parse));
                }
            }

            return login;
        }

        public List<string> IgnoredPreflightErrors(ParseResult parse) =>
            (parse.GetValue(IgnorePreflight) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

        /// <summary>A staging root (<c>--root DIR</c>) never runs the host's kubeadm: it gets the config to run on the node.</summary>
        public KubeadmRunOptions RunOptions(ParseResult parse) => new()
        {
            Mode = parse.GetValue(PreflightOnly) ? KubeadmMode.PreflightOnly
                : parse.GetValue(DryRun) ? KubeadmMode.DryRun
                : new NodeRoot(parse.GetValue(_node.Root)!).IsHost ? KubeadmMode.Run
                : KubeadmMode.Stage,
            WipeEtcdData = parse.GetValue(WipeEtcdData),
            Verbosity = parse.GetValue(Verbosity),
            JoinDataPath = parse.GetValue(JoinData)!,
        };

        public (KubeadmService Service, ClusterOptions Options, KubernetesVersion Version, ImageTags Tags) Build(ParseResult parse, NodeEnvironment environment, HttpClient http)
        {
            // The checks only read the node: they need no root privileges.
            var readOnly = parse.GetValue(DryRun) || parse.GetValue(PreflightOnly);
            var root = _node.NodeRoot(parse, environment, requirePrivilege: !readOnly);
            var options = new ClusterOptions { RegistryName = _node.RegistryScope(parse), Platform = parse.GetValue(_node.Platform)! };
            if (!Cluster.Kubeadm.KubernetesVersion.TryParse(parse.GetValue(KubernetesVersion), out var version))
            {
                throw new UserException($"not a Kubernetes version: {parse.GetValue(KubernetesVersion)}");
            }

            var defaults = KubeadmImages.DefaultTags(version!);
            var etcd = parse.GetValue(EtcdTag) ?? defaults?.Etcd;
            var coreDns = parse.GetValue(CoreDnsTag) ?? defaults?.CoreDns;
            var pause = parse.GetValue(PauseTag) ?? defaults?.Pause;
            if (etcd is null || coreDns is null || pause is null)
            {
                throw new UserException(
                    $"no built-in image tags for Kubernetes {version} (built in: {KubeadmImages.Coverage}): give --etcd-image-tag, --coredns-image-tag and --pause-image-tag (kubeadm config images list --kubernetes-version {version} names them)");
            }

            var writer = new NodeFileWriter(root, environment.Time, environment.Ownership);
            // Without a test double the preflight checks images exactly as this node will pull them.
            var judge = environment.ImageJudge
                ?? new NodeImageJudge(http, root, environment.Time, HttpUrl(parse.GetValue(RegistryUrl)), HttpUrl(parse.GetValue(LookasideUrl)));
            var service = new KubeadmService(writer, new KubeadmPreflight(writer, judge, options), Runner(environment, parse), environment.Runner, environment.Time);
            return (service, options, version!, new ImageTags(pause, etcd, coreDns));
        }
    }
}
