namespace U7s.Registry.Tests.BadInput;

/// <summary>One malformed request of the corpus and the answer the spec requires.</summary>
public sealed record BadRequest(string Name, string Method, string Path, int Status, string? Code, string? Body = null, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public override string ToString() => Name;
}
