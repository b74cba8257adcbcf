namespace U7s.Cli.Wiring.Login;

/// <summary>A user name and password for one registry. Never printed: <see cref="ToString"/> shows the user only.</summary>
internal sealed record RegistryCredential(string User, string Password)
{
    /// <summary>The <c>user:password</c> form of <c>--creds</c> and of an auth file's <c>auth</c> field; null when there is no colon.</summary>
    public static RegistryCredential? ParseOrNull(string userColonPassword)
    {
        var colon = userColonPassword.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : new RegistryCredential(userColonPassword[..colon], userColonPassword[(colon + 1)..]);
    }

    public string BasicParameter => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}"));

    public override string ToString() => $"{User}:***";
}
