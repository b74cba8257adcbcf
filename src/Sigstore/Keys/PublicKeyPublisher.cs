using System.Text.RegularExpressions;

namespace U7s.Sigstore.Keys;

/// <summary>
/// Publishes an imagemaker's public key as <c>&lt;sigstore root&gt;/keys/&lt;user&gt;.pgp</c>
/// (armored, 0644; SPEC §2.3, §3.7), where nodes download it from the :81 listing.
/// </summary>
public static partial class PublicKeyPublisher
{
    /// <summary>Writes the key through a temp file and a rename; returns the published path. MUST refuse user names that are not plain login names.</summary>
    public static string Publish(string sigstoreRoot, string user, ReadOnlySpan<byte> armoredPublicKey)
    {
        if (!UserName().IsMatch(user))
        {
            throw new KeyStoreException($"'{user}' is not a valid user name");
        }

        var keys = Path.Combine(Path.GetFullPath(sigstoreRoot), "keys");
        Directory.CreateDirectory(keys);
        var target = Path.Combine(keys, user + ".pgp");
        var temp = Path.Combine(keys, $".tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(armoredPublicKey);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            File.Move(temp, target, overwrite: true);
            return target;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();
}
