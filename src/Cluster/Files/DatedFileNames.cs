using System.Globalization;

namespace U7s.Cluster.Files;

/// <summary>
/// The names of SPEC §3.6: which live files are symlinks to dated versions, what the dated version
/// is called and where a displaced regular file goes. The stamp pattern is podsec's
/// (<c>%Y-%m-%d_%H:%M:%S</c>, local time); admins and tools look for it.
/// </summary>
public static class DatedFileNames
{
    public const string PolicyJson = "/etc/containers/policy.json";
    public const string RegistriesDefaultYaml = "/etc/containers/registries.d/default.yaml";
    public const string RegistriesConf = "/etc/containers/registries.conf";

    private const string StampFormat = "yyyy-MM-dd_HH:mm:ss";

    /// <summary>True when <paramref name="nodePath"/> is one of the three dated files.</summary>
    public static bool IsDated(string nodePath) => nodePath is PolicyJson or RegistriesDefaultYaml or RegistriesConf;

    /// <summary>The file name of the new version, e.g. <c>policy_2024-01-02_03:04:05</c>. Never ends in <c>.yaml</c>.</summary>
    public static string DatedName(string nodePath, DateTimeOffset localTime) => nodePath switch
    {
        PolicyJson => "policy_" + Stamp(localTime),
        RegistriesDefaultYaml => "default_" + Stamp(localTime),
        RegistriesConf => "registries_" + Stamp(localTime),
        _ => throw new ArgumentException($"not a dated node file: {nodePath}", nameof(nodePath)),
    };

    /// <summary>
    /// The file name a displaced regular live file is kept under: the one format of every version, <c>&lt;stem&gt;_&lt;stamp&gt;</c>
    /// (<c>policy_</c>, <c>default_</c>, <c>registries_</c>), stamped with the file's own mtime. Older releases kept
    /// <c>default.yaml.&lt;stamp&gt;</c> and <c>registries.conf.&lt;stamp&gt;</c>; nothing reads backups, so those stay as they are.
    /// </summary>
    public static string BackupName(string nodePath, DateTimeOffset localMtime) => DatedName(nodePath, localMtime);

    public static string Stamp(DateTimeOffset localTime) => localTime.ToString(StampFormat, CultureInfo.InvariantCulture);
}
