using System.Globalization;

namespace U7s.Cluster.Node;

/// <summary>
/// The running kernel's settings under <c>/proc/sys</c> (those of this network namespace for <c>net.*</c>): what
/// <c>sysctl --system</c> would set from the files create-policy writes, and what the kubeadm preflight checks.
/// <paramref name="procSys"/> is <c>/proc/sys</c> on a node; tests give a directory of their own.
/// </summary>
public sealed class LiveSysctl(string procSys = "/proc/sys")
{
    /// <summary>The value, trimmed; null when this kernel has no such setting or it cannot be read.</summary>
    public string? ReadOrNull(string key)
    {
        try
        {
            return File.ReadAllText(PathOf(key)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Sets each <c>key = value</c> line of a sysctl.d file that differs from the kernel's value, as <c>sysctl
    /// --system</c> would; one report line per setting changed, missing or refused (the file still applies at boot).
    /// </summary>
    public IReadOnlyList<string> Apply(string sysctlFile, string content)
    {
        var report = new List<string>();
        foreach (var line in content.Split('\n'))
        {
            var text = line.Split('#', 2)[0];
            if (text.Split('=', 2) is not [var rawKey, var rawValue] || rawKey.Trim().Length == 0)
            {
                continue;
            }

            var (key, value) = (rawKey.Trim(), rawValue.Trim());
            var live = ReadOrNull(key);
            if (live is null)
            {
                report.Add($"{key}: not a setting of this kernel; {sysctlFile} not applied");
                continue;
            }

            if (live == value)
            {
                continue;
            }

            try
            {
                File.WriteAllText(PathOf(key), value + "\n");
                report.Add($"{key} = {value}: applied to the running kernel (was {live}), as sysctl --system would");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report.Add($"{key} = {value}: could not be applied to the running kernel ({e.Message}); it is {live} until sysctl --system or a reboot");
            }
        }

        return report;
    }

    // Keys are dotted names of letters, digits, '_' and '-': never a path of their own.
    private string PathOf(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && !key.Contains("..", StringComparison.Ordinal)
            ? Path.Join(procSys, key.Replace('.', '/'))
            : throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "not a sysctl key: {0}", key), nameof(key));
}
