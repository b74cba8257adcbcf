using U7s.Registry;
using U7s.S3;
using U7s.Sigstore;

namespace U7s.Cli.Hosting;

/// <summary>
/// Everything <c>u7s serve</c> and <c>u7s gc</c> are configured with. <see cref="S3"/> is set when
/// <c>Storage</c> is <c>s3</c>; the filesystem under <see cref="RegistryOptions.DataRoot"/> is the default.
/// </summary>
internal sealed record ServeSettings(RegistryOptions Registry, SigstoreOptions Sigstore, S3StorageOptions? S3)
{
    public void Deconstruct(out RegistryOptions registry, out SigstoreOptions sigstore)
    {
        registry = Registry;
        sigstore = Sigstore;
    }
}
