using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Testing;

namespace U7s.Server.Tests.Hosting;

/// <summary>The credential validator contract on the server's logins: bcrypt checks, verified logins remembered until the file changes.</summary>
public sealed class HtpasswdCredentialsContractTests : CredentialValidatorContract
{
    protected override ICredentialValidator Open(string htpasswd) => new HtpasswdCredentials(htpasswd, TimeProvider.System);
}
