namespace U7s.Sigstore.Store;

/// <summary>What <c>statx(2)</c> says of one name of the filesystem tree, the name itself (a symlink is a symlink).</summary>
internal readonly record struct TreeEntryStatus(int Mode, long Length, DateTimeOffset LastModified)
{
    public bool IsDirectory => (Mode & Libc.SIfMt) == Libc.SIfDir;

    /// <summary>
    /// A regular file everyone may read: the only kind the :81 server serves. Symlinks, FIFOs, sockets and
    /// devices are not regular; a file kept from others (a 0600 secret key, <c>/etc/shadow</c> hard-linked
    /// into the tree) is not public, whichever user the server runs as.
    /// </summary>
    public bool IsPublicFile => (Mode & Libc.SIfMt) == Libc.SIfReg && (Mode & (int)UnixFileMode.OtherRead) != 0;
}
