namespace U7s.Sigstore.Store;

/// <summary>The path rules of <see cref="ISigstoreTree"/>: what a path may look like, and joining.</summary>
public static class SigstoreTreePath
{
    /// <summary>
    /// True for <c>""</c> (the root) and for names joined by single '/' with no leading or trailing '/',
    /// no <c>.</c> or <c>..</c> segment, no backslash and no NUL: such a path cannot leave the tree.
    /// </summary>
    public static bool IsValid(string? path)
    {
        if (path is null)
        {
            return false;
        }

        // Allocation-free: the filesystem tree checks every path of the :81 hot path.
        var rest = path.AsSpan();
        if (rest.Length == 0)
        {
            return true;
        }

        if (rest.ContainsAny('\\', '\0'))
        {
            return false;
        }

        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Length == 0 || segment is "." or "..")
            {
                return false;
            }

            if (slash < 0)
            {
                return true;
            }

            rest = rest[(slash + 1)..];
        }
    }

    /// <summary>Returns <paramref name="path"/>; throws <see cref="ArgumentException"/> when it is not <see cref="IsValid"/>.</summary>
    public static string Check(string path) =>
        IsValid(path) ? path : throw new ArgumentException($"'{path}' is not a path inside the signature store tree", nameof(path));

    /// <summary><paramref name="directory"/>/<paramref name="name"/>, or just the name at the root.</summary>
    public static string Combine(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;
}
