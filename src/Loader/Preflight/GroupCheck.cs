namespace U7s.Loader.Preflight;

/// <summary>
/// SPEC §1.5 row 2: only imagemakers (members of <c>podman_dev</c> or a configured equivalent)
/// may push and sign. Reads the local <c>passwd</c> and <c>group</c> files under a root directory
/// (accounts from NSS services such as LDAP are not seen; root is always allowed).
/// </summary>
internal static class GroupCheck
{
    public const string DefaultGroup = "podman_dev";

    /// <summary>True when <paramref name="user"/> has <paramref name="group"/> as primary or supplementary group.</summary>
    public static bool IsMember(string user, string group, string root = "/")
    {
        var groupLine = ReadLines(Path.Combine(root, "etc", "group"))
            .Select(l => l.Split(':'))
            .FirstOrDefault(f => f.Length >= 4 && f[0] == group);
        if (groupLine is null)
        {
            return false;
        }

        if (groupLine[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(user, StringComparer.Ordinal))
        {
            return true;
        }

        var passwd = ReadLines(Path.Combine(root, "etc", "passwd"))
            .Select(l => l.Split(':'))
            .FirstOrDefault(f => f.Length >= 4 && f[0] == user);
        return passwd is not null && passwd[3] == groupLine[2];
    }

    private static IEnumerable<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#') : [];
}
