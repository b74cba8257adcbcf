using U7s.Loader.Registry;
using U7s.Testing;

namespace U7s.Loader.Tests.Support;

/// <summary>A <see cref="RegistryClient"/> for a test registry.</summary>
internal static class DockerRegistryExtensions
{
    extension(DockerRegistry registry)
    {
        public RegistryClient Client => new(registry.Http, registry.BaseUri);
    }
}
