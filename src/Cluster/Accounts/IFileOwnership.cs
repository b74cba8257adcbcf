using Microsoft.Win32.SafeHandles;
using U7s.Native;

namespace U7s.Cluster.Accounts;

/// <summary>
/// Owner and immutable flag of files and directories the node verbs hold open. Through the descriptor only:
/// a path inside a tree another user can write may name something else by the time a <c>chown</c> or
/// <c>chattr</c> program would look it up. The real one is <see cref="DescriptorOwnership"/>; tests that do
/// not run as root record the calls instead.
/// </summary>
public interface IFileOwnership
{
    /// <summary>MUST change the owner of exactly the open file or directory (<c>fchown</c>), never of what a path names.</summary>
    void SetOwner(SafeFileHandle file, int uid, int gid);

    /// <summary>MUST set the immutable flag (<c>chattr +i</c>) of exactly the open file or directory.</summary>
    void SetImmutable(SafeFileHandle file);

    /// <summary>
    /// Gives <paramref name="directory"/> and everything below it to <paramref name="uid"/>:<paramref name="gid"/>,
    /// walking by descriptor: a symlink is changed itself and never followed, and a file with more than one hard
    /// link is left as it is (the tree's owner may have linked someone else's file into it), as is anything nested
    /// deeper than a U7s tree ever is. MUST return the paths (relative to <paramref name="directory"/>) left alone.
    /// </summary>
    IReadOnlyList<string> SetOwnerRecursive(DirectoryHandle directory, int uid, int gid);
}
