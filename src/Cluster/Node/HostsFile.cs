namespace U7s.Cluster.Node;

/// <summary>
/// The <c>/etc/hosts</c> rule of SPEC §3.1: one line <c>IP registry.local sigstore.local</c>,
/// appended only when the names are not yet mapped to that address, refused when either name is
/// already mapped to another address (podsec appended duplicates).
/// </summary>
public static class HostsFile
{
    /// <summary>
    /// The new file content, or the unchanged <paramref name="existing"/> when every name already
    /// maps to <paramref name="address"/>. Throws <see cref="ClusterException"/> on a conflict.
    /// </summary>
    public static string Apply(string? existing, string address, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(names);
        existing ??= string.Empty;
        var mapped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in existing.Split('\n'))
        {
            var line = raw.Split('#', 2)[0];
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            foreach (var name in fields.Skip(1))
            {
                if (names.Contains(name, StringComparer.OrdinalIgnoreCase) && fields[0] != address)
                {
                    throw new ClusterException($"/etc/hosts already maps {name} to {fields[0]}, not {address}: fix or remove that line first", ClusterErrorKind.Refused);
                }

                mapped.TryAdd(name, fields[0]);
            }
        }

        if (names.All(mapped.ContainsKey))
        {
            return existing;
        }

        var separator = existing.Length == 0 || existing.EndsWith('\n') ? string.Empty : "\n";
        return $"{existing}{separator}{address} {string.Join(' ', names)}\n";
    }
}
