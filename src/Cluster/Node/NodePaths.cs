namespace U7s.Cluster.Node;

/// <summary>Every node path U7s writes, as absolute node paths (mapped under the root by the writer).</summary>
public static class NodePaths
{
    public const string Hosts = "/etc/hosts";
    public const string Policy = Files.DatedFileNames.PolicyJson;
    public const string RegistriesDefault = Files.DatedFileNames.RegistriesDefaultYaml;
    public const string RegistriesConf = Files.DatedFileNames.RegistriesConf;

    /// <summary>The admin-owned containers.conf; podsec sed-edited the package's <c>/usr/share</c> copy instead.</summary>
    public const string ContainersConf = "/etc/containers/containers.conf";

    /// <summary>A CRI-O drop-in U7s owns completely, read after the package's <c>crio.conf</c>.</summary>
    public const string CrioPauseDropIn = "/etc/crio/crio.conf.d/10-u7s-pause.conf";

    public const string Sysctl = "/etc/sysctl.d/99-podman.conf";
    public const string IpForwardSysctl = "/etc/sysctl.d/90-ipforward.conf";
    public const string SigstoreRoot = "/var/sigstore";

    /// <summary>The registry's data root, the default of <c>u7s serve --data</c>.</summary>
    public const string DataRoot = "/var/lib/u7s";
    public const string SigstoreIndex = "/var/sigstore/index.html";
    public const string Keys = "/var/sigstore/keys";
    public const string KeysPolicy = "/var/sigstore/keys/policy.json";
    public const string Signatures = "/var/sigstore/sigstore";

    /// <summary>
    /// The keys this node trusts, root-owned (0755, each key 0644), written only by root's node verbs:
    /// <c>/etc/containers/policy.json</c> names them, <c>u7s verify</c> trusts them. <see cref="Keys"/> is what
    /// the registry node serves to other nodes (podsec's layout); its group may change it, so nothing trusts it.
    /// </summary>
    public const string TrustedKeys = "/etc/u7s/keys";

    /// <summary>The published public key of an imagemaker.</summary>
    public static string PublicKey(string user) => $"{Keys}/{user}.pgp";

    /// <summary>The key of an imagemaker as this node trusts it.</summary>
    public static string TrustedKey(string user) => $"{TrustedKeys}/{user}.pgp";
}
