using System.Text.RegularExpressions;

namespace U7s.Cluster.Accounts;

/// <summary>The portable user/group name grammar useradd accepts by default.</summary>
public static partial class AccountNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
