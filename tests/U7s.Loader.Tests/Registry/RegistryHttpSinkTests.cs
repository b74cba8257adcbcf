using U7s.Loader.Loading;
using U7s.Loader.Registry;
using U7s.Loader.Tests.Loading;
using U7s.Loader.Tests.Support;
using U7s.Testing;

namespace U7s.Loader.Tests.Registry;

/// <summary>The sink contract against Debian's docker-registry over plain HTTP.</summary>
public sealed class RegistryHttpSinkTests(DockerRegistry registry) : ImageSinkContract, IClassFixture<DockerRegistry>
{
    internal override IImageSink CreateSink() => new RegistryHttpSink(registry.Client);
}
