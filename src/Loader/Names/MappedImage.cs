using U7s.Oci;

namespace U7s.Loader.Names;

/// <summary>An archive ref name and the registry reference it is pushed and signed as. Additional: True when the ref did not start with the target's base (SPEC §1.3 rule 3).</summary>
internal sealed record MappedImage(RefName Source, Reference Target, bool Additional)
{
    public RepositoryName Repository => Target.Repository;

    public Tag Tag => Target.Tag!.Value;
}
