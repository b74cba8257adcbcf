using U7s.Cli.Hosting;
using U7s.Oci.Auth;
using U7s.Testing;

namespace U7s.Cli.Tests.Hosting;

/// <summary>The credential validator contract on the server's logins: bcrypt checks, verified logins remembered until the file changes.</summary>
public sealed class HtpasswdCredentialsContractTests : CredentialValidatorContract
{
    protected override ICredentialValidator Open(string htpasswd) => new HtpasswdCredentials(htpasswd, TimeProvider.System);
}
