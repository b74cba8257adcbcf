namespace U7s.Cli.Wiring;

/// <summary>
/// The one way the CLI makes an <see cref="HttpClient"/> for a server it does not control (a registry, a lookaside,
/// a node's signature store): redirects through <see cref="SafeRedirectHandler"/>, logins and registry tokens
/// through <see cref="Login.RegistryAuthHandler"/> (inside it, so each hop is judged on its own origin), and a body buffered whole by
/// <see cref="HttpClient"/> itself (<see cref="HttpCompletionOption.ResponseContentRead"/>) capped at
/// <see cref="MaxBufferedBytes"/>. Callers still read every body they keep through <see cref="Oci.BoundedBody"/>
/// with their own, smaller limit.
/// </summary>
internal static class RemoteHttp
{
    public const int MaxBufferedBytes = 1024 * 1024;

    public static HttpClient Create(TimeSpan timeout, Login.RegistryLogin? login = null) =>
        new(new SafeRedirectHandler(new Login.RegistryAuthHandler(login ?? Login.RegistryLogin.Anonymous, TimeProvider.System, new SocketsHttpHandler { AllowAutoRedirect = false })))
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = MaxBufferedBytes,
        };
}
