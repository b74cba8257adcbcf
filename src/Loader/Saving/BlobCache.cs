using System.Security.Cryptography;
using U7s.Loader.Archive;
using U7s.Loader.Loading;
using U7s.Oci;
using U7s.Security.Files;

namespace U7s.Loader.Saving;

/// <summary>
/// Blobs as downloaded, one file per digest (<c>&lt;algorithm&gt;/&lt;hex&gt;</c>), kept between runs so an
/// interrupted save resumes without downloading a finished blob again. A blob is streamed into a temp file while
/// its digest and size are checked and renamed into place only when both match, so the cache never holds a partial
/// or wrong blob under a digest's name; a file found there is hashed again before it is used (a damaged one is
/// removed and downloaded again).
/// <para>
/// A blob is hashed when it is found and read again when the archive is written, so nobody else may be able to change
/// the cache in between: it is made only-ours (0700) and refused when another user could replace what is in it
/// (<see cref="Open"/>). The default sits next to the output, so a save into a shared directory such as <c>/tmp</c>
/// must not take a folder another user made there first.
/// </para>
/// </summary>
internal sealed class BlobCache
{
    private const int BufferBytes = 128 * 1024;

    private const UnixFileMode OnlyOurs = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The folders blobs go in, one per digest algorithm (<see cref="PathOf"/>).</summary>
    private static readonly string[] Algorithms = ["sha256", "sha512"];

    private readonly bool _made;

    private BlobCache(string directory, bool made)
    {
        Directory = directory;
        _made = made;
    }

    public string Directory { get; }

    /// <summary>The cache at <paramref name="directory"/>, made if it is not there.</summary>
    /// <exception cref="LoadException">Someone other than root or this user could change what is in it.</exception>
    public static BlobCache Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        var made = !System.IO.Directory.Exists(full);
        CreateOnlyOurs(full);
        foreach (var folder in Algorithms.Select(a => Path.Combine(full, a)))
        {
            // The closest existing directory of a blob's path must be ours and not writable by others, and so each above.
            if (TrustedFile.Problem(Path.Combine(folder, "blob"), "--cache-dir") is { } problem)
            {
                throw new LoadException(LoadErrorKind.Usage, $"download cache '{full}' is not safe to use: {problem}; remove it or pass --cache-dir");
            }
        }

        return new BlobCache(full, made);
    }

    /// <summary>The file holding <paramref name="digest"/> with exactly <paramref name="size"/> bytes, or null when the cache has no good copy.</summary>
    public async Task<string?> FindAsync(Digest digest, long size, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return null;
        }

        if (info.Length == size)
        {
            using var hash = IncrementalHash.CreateHash(digest.HashAlgorithm);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var buffer = new byte[BufferBytes];
            int n;
            while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }

            if (Digest.FromHash(digest.Algorithm, hash.GetHashAndReset()) == digest)
            {
                return path;
            }
        }

        File.Delete(path);
        return null;
    }

    /// <summary>
    /// Copies <paramref name="content"/> into the cache, verified against <paramref name="digest"/> and <paramref name="size"/>;
    /// <paramref name="copied"/> hears the bytes as they arrive. Nothing is left under the digest's name unless it matched.
    /// </summary>
    /// <exception cref="Loading.LoadException">The content is not the blob (other size or digest).</exception>
    public async Task<string> AddAsync(Digest digest, long size, Stream content, string what, Action<long>? copied, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        CreateOnlyOurs(Path.GetDirectoryName(path)!);
        var part = $"{path}.{Guid.NewGuid():N}.part";
        try
        {
            await using (var verifying = new VerifyingReadStream(content, digest, size, what))
            await using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes, FileOptions.Asynchronous))
            {
                var buffer = new byte[BufferBytes];
                int n;
                while ((n = await verifying.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    copied?.Invoke(n);
                }

                // An empty blob is verified only by asking for its end.
                await verifying.DrainAsync(cancellationToken);
            }

            File.Move(part, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(part);
        }
    }

    /// <summary>
    /// Removes the cache once the archive is complete: the blob folders it made, then the directory if nothing else is
    /// in it (a <c>--cache-dir</c> may name a directory that holds other things; those stay).
    /// </summary>
    public void Delete()
    {
        foreach (var algorithm in Algorithms)
        {
            var folder = Path.Combine(Directory, algorithm);
            if (System.IO.Directory.Exists(folder))
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
        }

        if (System.IO.Directory.Exists(Directory) && !System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
        {
            System.IO.Directory.Delete(Directory);
        }
    }

    /// <summary>After a failed run: removes what <see cref="Open"/> made when no blob got into it, keeps every blob otherwise.</summary>
    public void DeleteIfEmpty()
    {
        var folders = Algorithms.Select(a => Path.Combine(Directory, a));
        foreach (var folder in _made ? folders.Append(Directory) : folders)
        {
            if (System.IO.Directory.Exists(folder) && !System.IO.Directory.EnumerateFileSystemEntries(folder).Any())
            {
                System.IO.Directory.Delete(folder);
            }
        }
    }

    private static void CreateOnlyOurs(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, OnlyOurs);
        }
    }

    private string PathOf(Digest digest) => Path.Combine(Directory, digest.Algorithm, digest.Hex);
}
