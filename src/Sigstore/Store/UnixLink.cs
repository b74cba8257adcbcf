using System.Runtime.InteropServices;

namespace U7s.Sigstore.Store;

/// <summary>
/// <c>link(2)</c>: gives a file a second name and fails with EEXIST if that name is taken, which makes
/// it an atomic create-new publish. (.NET's <c>File.Move(…, overwrite: false)</c> checks and then
/// renames, so two writers can both "win" one index.)
/// </summary>
internal static partial class UnixLink
{
    private const int EExist = 17;

    /// <summary>True when <paramref name="newPath"/> now names the file; false when the name already existed. Other failures throw.</summary>
    public static bool TryCreate(string existingPath, string newPath)
    {
        if (Link(existingPath, newPath) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == EExist
            ? false
            : throw new IOException($"cannot link {newPath}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
