using System.Net;
using System.Text.RegularExpressions;
using U7s.Cluster.Files;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Strict reader of a kubeadm v1beta3 configuration file: every document must be one of the three
/// kinds, every field must exist in v1beta3 (unknown field → error), string maps must not hold plain
/// scalars that YAML reads as booleans or numbers (kubeadm's JSON decoding would reject them), and the
/// secrets and addresses must match their grammars. Throws <see cref="InvalidDataException"/>.
/// </summary>
public static partial class KubeadmConfigReader
{
    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new KubeadmYamlContext())
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    private static readonly string[] StringMaps = ["extraArgs", "kubeletExtraArgs"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] TokenUsages = ["signing", "authentication"];

    public static void Validate(string yaml) => _ = Read(yaml);

    internal static KubeadmDocuments Read(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"kubeadm config is not valid YAML: {e.Message}", e);
        }

        var result = new KubeadmDocuments();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                throw new InvalidDataException("kubeadm config: every document must be a mapping");
            }

            CheckStringMaps(root);
            var apiVersion = Scalar(root, "apiVersion");
            if (apiVersion != V1Beta3.ApiVersion)
            {
                throw new InvalidDataException($"kubeadm config: apiVersion must be {V1Beta3.ApiVersion}, not {apiVersion ?? "(none)"}");
            }

            var text = YamlText.Write(root);
            switch (Scalar(root, "kind"))
            {
                case "InitConfiguration" when result.Init is null:
                    result.Init = Strict<V1Beta3.InitConfiguration>(text, "InitConfiguration");
                    CheckInit(result.Init);
                    break;
                case "ClusterConfiguration" when result.Cluster is null:
                    result.Cluster = Strict<V1Beta3.ClusterConfiguration>(text, "ClusterConfiguration");
                    break;
                case "JoinConfiguration" when result.Join is null:
                    result.Join = Strict<V1Beta3.JoinConfiguration>(text, "JoinConfiguration");
                    CheckJoin(result.Join);
                    break;
                case var kind:
                    throw new InvalidDataException($"kubeadm config: unexpected or repeated kind {kind ?? "(none)"}");
            }
        }

        if (result.Join is not null && (result.Init is not null || result.Cluster is not null))
        {
            throw new InvalidDataException("kubeadm config: JoinConfiguration cannot be mixed with Init/ClusterConfiguration");
        }

        return result;
    }

    private static T Strict<T>(string text, string kind)
    {
        try
        {
            return Deserializer.Deserialize<T>(text);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"kubeadm config: {kind}: {(e.InnerException ?? e).Message}", e);
        }
    }

    private static void CheckInit(V1Beta3.InitConfiguration init)
    {
        foreach (var token in init.BootstrapTokens ?? [])
        {
            Require(JoinSecrets.IsToken(token.Token), $"bootstrap token does not match [a-z0-9]{{6}}.[a-z0-9]{{16}}");
            Require(token.Ttl is null || GoDuration().IsMatch(token.Ttl), $"bootstrap token ttl is not a duration: {token.Ttl}");
            Require((token.Usages ?? []).All(u => TokenUsages.Contains(u)), "bootstrap token usages must be signing/authentication");
        }

        Require(init.CertificateKey is null || JoinSecrets.IsCertificateKey(init.CertificateKey), "certificateKey must be 64 hex digits");
        CheckEndpoint(init.LocalApiEndpoint);
        CheckRegistration(init.NodeRegistration);
    }

    private static void CheckJoin(V1Beta3.JoinConfiguration join)
    {
        var token = join.Discovery?.BootstrapToken;
        Require(token is not null || join.Discovery?.File is not null, "JoinConfiguration needs discovery.bootstrapToken or discovery.file");
        if (token is not null)
        {
            Require(JoinSecrets.IsToken(token.Token), "discovery token does not match [a-z0-9]{6}.[a-z0-9]{16}");
            Require(token.ApiServerEndpoint is not null && HostPort().IsMatch(token.ApiServerEndpoint), $"apiServerEndpoint must be host:port: {token.ApiServerEndpoint}");
            Require(token.UnsafeSkipCaVerification == true || (token.CaCertHashes is { Count: > 0 } && token.CaCertHashes.All(JoinSecrets.IsCaCertHash)),
                "caCertHashes must hold sha256:<64 hex> values");
        }

        if (join.ControlPlane is { } controlPlane)
        {
            Require(JoinSecrets.IsCertificateKey(controlPlane.CertificateKey), "controlPlane.certificateKey must be 64 hex digits");
            CheckEndpoint(controlPlane.LocalApiEndpoint);
        }

        CheckRegistration(join.NodeRegistration);
    }

    private static void CheckEndpoint(V1Beta3.ApiEndpoint? endpoint)
    {
        if (endpoint is null)
        {
            return;
        }

        Require(endpoint.AdvertiseAddress is null || IsIpAddress(endpoint.AdvertiseAddress), $"advertiseAddress is not an IP address: {endpoint.AdvertiseAddress}");
        Require(endpoint.BindPort is null or (> 0 and < 65536), $"bindPort out of range: {endpoint.BindPort}");
    }

    private static void CheckRegistration(V1Beta3.NodeRegistration? registration)
    {
        if (registration is null)
        {
            return;
        }

        Require(registration.CriSocket is null || registration.CriSocket.StartsWith("unix:///", StringComparison.Ordinal), $"criSocket must be unix:///path: {registration.CriSocket}");
        Require(registration.ImagePullPolicy is null || PullPolicies.Contains(registration.ImagePullPolicy), $"imagePullPolicy must be Always, IfNotPresent or Never: {registration.ImagePullPolicy}");
    }

    // sigs.k8s.io/yaml decodes into map[string]string through JSON: a plain `true` or `10` is not a string there.
    private static void CheckStringMaps(YamlNode node)
    {
        if (node is YamlSequenceNode sequence)
        {
            foreach (var child in sequence.Children)
            {
                CheckStringMaps(child);
            }

            return;
        }

        if (node is not YamlMappingNode mapping)
        {
            return;
        }

        foreach (var (key, value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && StringMaps.Contains(name) && value is YamlMappingNode map)
            {
                foreach (var (argument, argumentValue) in map.Children)
                {
                    if (argumentValue is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } plain } && NonString().IsMatch(plain))
                    {
                        throw new InvalidDataException($"kubeadm config: {name}.{argument} must be a quoted string, not {plain}");
                    }
                }
            }

            CheckStringMaps(value);
        }
    }

    /// <summary>A canonical IPv4 dotted quad or an IPv6 address (IPAddress alone also takes <c>1.2.3</c>).</summary>
    public static bool IsIpAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || address.ToString() == text);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException($"kubeadm config: {message}");
        }
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPort();

    [GeneratedRegex(@"^(true|false|yes|no|on|off|y|n|null|~|[-+]?[0-9][0-9_]*(\.[0-9]*)?([eE][-+]?[0-9]+)?|[-+]?\.inf|\.nan)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NonString();
}
