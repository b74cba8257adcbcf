using U7s.Loader.Registry;
using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>Where an image named by a reference is read: the registry (or its mirror) and the repository there.</summary>
internal sealed record ImageSource(RegistryClient Client, RepositoryName Repository);
