namespace U7s.Loader.Generator;

/// <summary>Shape of a generated archive (tests, the benchmark, <c>u7s demo-archive</c>); equal options give byte-identical archives.</summary>
internal sealed record GeneratorOptions
{
    public string Architecture { get; init; } = "amd64";

    /// <summary>First path component of every ref name (SPEC §1.4).</summary>
    public string Platform { get; init; } = "k8s-c10f1";

    public int Seed { get; init; } = 1;

    /// <summary>Average size of one unique layer; the archive expands to roughly 20 times this.</summary>
    public long LayerBytes { get; init; } = 64 * 1024;

    /// <summary>How many images of the k8s-c10f1 set to include (at most 12).</summary>
    public int ImageCount { get; init; } = 12;

    /// <summary>Write oci-layout, index.json and manifests before the layers (else after them).</summary>
    public bool IndexFirst { get; init; } = true;

    /// <summary>Tags that replace the k8s-c10f1 set's own, by image name (<c>kube-apiserver</c> → <c>v1.27.4</c>).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public uint XzPreset { get; init; } = 1;

    /// <summary>Where layer tars are built before they are copied into the archive; system temp when null.</summary>
    public string? TemporaryRoot { get; init; }
}
