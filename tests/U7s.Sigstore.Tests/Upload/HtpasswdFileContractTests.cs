using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Tests.Upload;

/// <summary>The credential validator contract on the bare htpasswd file: every login one bcrypt check.</summary>
public sealed class HtpasswdFileContractTests : CredentialValidatorContract
{
    protected override ICredentialValidator Open(string htpasswd) => new HtpasswdFile(htpasswd);
}
