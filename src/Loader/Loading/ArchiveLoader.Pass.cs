using U7s.Loader.Archive;
using U7s.Loader.Layout;
using U7s.Loader.Names;
using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>The streaming pass: one call per layout entry, in tar order.</summary>
internal sealed partial class ArchiveLoader
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>How much of a small blob is read to tell a JSON document from a layer.</summary>
    private const int JsonSniffBytes = 4096;

    private async Task OnEntryAsync(LoadState state, LayoutEntry entry, CancellationToken cancellationToken)
    {
        switch (entry.Kind)
        {
            case LayoutEntryKind.OciLayout:
                OciLayoutFile.Check(await ReadSmallAsync(entry, 64 * 1024, LoadErrorKind.InvalidLayout, cancellationToken), entry.Path);
                state.LayoutSeen = true;
                break;
            case LayoutEntryKind.Index:
                if (state.Images is not null)
                {
                    throw new LoadException(LoadErrorKind.InvalidLayout, $"{entry.Path} appears twice in the archive");
                }

                state.Images = CheckIndex(state.Request, await ReadSmallAsync(entry, MaxDocumentBytes, LoadErrorKind.InvalidLayout, cancellationToken), entry.Path);

                // Blobs go out only once their image is known, i.e. from here on: check the policy first.
                await CheckPolicyAsync(state, cancellationToken);
                state.RefreshOwners();
                break;
            case LayoutEntryKind.Blob:
                await OnBlobAsync(state, entry, entry.BlobDigest!.Value, cancellationToken);
                break;
        }
    }

    private async Task OnBlobAsync(LoadState state, LayoutEntry entry, Digest digest, CancellationToken cancellationToken)
    {
        await using var verifying = new VerifyingReadStream(entry.Data, digest, entry.Length, entry.Path);
        if (state.Blobs.ContainsKey(digest))
        {
            // The same file twice: still verified, stored once.
            await verifying.DrainAsync(cancellationToken);
            return;
        }

        var record = new BlobRecord(digest, entry.Length);

        // Only what may be a manifest or config is read into memory; a layer (gzip, zstd, tar) shows it is none
        // in its first bytes and streams on to the store like any large blob.
        if (entry.Length <= MaxDocumentBytes && MayBeJson((await verifying.PeekAsync(JsonSniffBytes, cancellationToken)).Span, entry.Length))
        {
            var content = new byte[entry.Length];
            await verifying.ReadExactlyAsync(content, cancellationToken);
            await verifying.DrainAsync(cancellationToken);
            state.Blobs[digest] = record;
            if (LooksLikeJson(content) && state.InMemoryBytes + content.Length <= state.Request.MaxInMemoryDocumentBytes)
            {
                record.Content = content;
                state.InMemoryBytes += content.Length;
                state.RefreshOwners();
                return;
            }

            using var memory = new MemoryStream(content, writable: false);
            await RouteAsync(state, record, memory, null, cancellationToken);
            return;
        }

        state.Blobs[digest] = record;
        await RouteAsync(state, record, verifying, verifying, cancellationToken);
    }

    /// <summary>Sends a blob to the repository that will use it, or spools it when none is known yet.</summary>
    private async Task RouteAsync(LoadState state, BlobRecord record, Stream content, VerifyingReadStream? verifying, CancellationToken cancellationToken)
    {
        if (state.Owners.TryGetValue(record.Digest, out var owner))
        {
            try
            {
                await StoreBlobAsync(state, owner, record, null, _ => Task.FromResult(content), ownsContent: false, cancellationToken);
            }
            catch (Exception e) when (verifying?.Failure is { } failure && e != failure)
            {
                // The upload saw the archive's or the digest check's failure wrapped by the HTTP stack.
                throw failure;
            }

            if (verifying is not null)
            {
                // Whether the bytes were sent or not: the archive's copy is verified to its end.
                await verifying.DrainAsync(cancellationToken);
            }

            return;
        }

        var path = Path.Combine(state.SpoolDirectory, record.Digest.Hex);
        await using (var spool = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await content.CopyToAsync(spool, cancellationToken);
        }

        record.SpoolPath = path;
    }

    /// <summary>
    /// SPEC §1.5 row 13 as far as it can be known before publishing: every image, once signed by
    /// the prepared key, would pass the verification that follows the push.
    /// </summary>
    private async Task CheckPolicyAsync(LoadState state, CancellationToken cancellationToken)
    {
        if (verifier is null || state.SignerFingerprint is not { } fingerprint)
        {
            return;
        }

        var problems = new List<(string, string)>();
        foreach (var (_, image) in state.Images!)
        {
            string? problem;
            try
            {
                problem = await verifier.SignerProblemOrNullAsync(image.Target, fingerprint, cancellationToken);
            }
            catch (Exception e) when (e is not (OperationCanceledException or LoadException))
            {
                problem = e.Message;
            }

            if (problem is not null)
            {
                problems.Add((image.Target.ToString(), problem));
            }
        }

        if (problems.Count > 0)
        {
            throw new LoadException(LoadErrorKind.PolicyRefuses, $"the node policy would reject the signed images, nothing was pushed: {ImageProblems.Format(problems)}");
        }
    }

    private static List<(Descriptor, MappedImage)> CheckIndex(LoadRequest request, byte[] content, string path)
    {
        var index = ManifestDocument.Parse(content, path, LoadErrorKind.InvalidLayout);
        if (index.SchemaVersion != 2)
        {
            throw new LoadException(LoadErrorKind.InvalidLayout, $"{path}: schemaVersion is {index.SchemaVersion}, expected 2");
        }

        if (index.Manifests is not { Count: > 0 } entries)
        {
            throw new LoadException(LoadErrorKind.InvalidLayout, $"{path} lists no images");
        }

        var refs = new List<RefName>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var descriptor = entries[i];
            if (!Digest.TryParse(descriptor.Digest, out _))
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"{path}: entry {i + 1} has an invalid digest '{descriptor.Digest}'");
            }

            if (descriptor.Annotations?.TryGetValue(RefNameAnnotation, out var value) != true || string.IsNullOrEmpty(value))
            {
                throw new LoadException(LoadErrorKind.InvalidReference, $"{path}: entry {i + 1} ({descriptor.Digest}) has no {RefNameAnnotation} annotation");
            }

            if (!RefName.TryParse(value, out var refName))
            {
                throw new LoadException(LoadErrorKind.InvalidReference, $"{path}: entry {i + 1} has an invalid ref name '{value}' (expected <platform>/<name>:<tag>)");
            }

            if (!seen.Add(refName.Value))
            {
                throw new LoadException(LoadErrorKind.InvalidReference, $"{path}: ref name '{refName}' appears more than once");
            }

            refs.Add(refName);
        }

        request.Names.CheckPlatform(refs);
        var mapped = new List<(Descriptor, MappedImage)>();
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var image = request.Names.Map(refs[i]);
            if (!targets.Add(image.Target.ToString()))
            {
                throw new LoadException(LoadErrorKind.InvalidReference, $"{path}: two ref names map to {image.Target}");
            }

            mapped.Add((entries[i], image));
        }

        return mapped;
    }

    private static async Task<byte[]> ReadSmallAsync(LayoutEntry entry, int limit, LoadErrorKind kind, CancellationToken cancellationToken)
    {
        if (entry.Length > limit)
        {
            throw new LoadException(kind, $"{entry.Path} is {entry.Length} bytes, more than the {limit} allowed");
        }

        var content = new byte[entry.Length];
        await entry.Data.ReadExactlyAsync(content, cancellationToken);
        return content;
    }

    /// <summary>
    /// False when the first bytes of a blob of <paramref name="length"/> bytes already show it does not look like
    /// JSON (see <see cref="LooksLikeJson"/>); true when it may.
    /// </summary>
    private static bool MayBeJson(ReadOnlySpan<byte> head, long length) =>
        LooksLikeJson(head) || (head.Length < length && head.IndexOfAnyExcept(" \t\r\n"u8) < 0);

    private static bool LooksLikeJson(ReadOnlySpan<byte> content)
    {
        foreach (var b in content)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }
}
