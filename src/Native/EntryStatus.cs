namespace U7s.Native;

/// <summary>
/// What <c>statx(2)</c> says of one name, the name itself (a symlink is a symlink), or of an open descriptor.
/// </summary>
public readonly record struct EntryStatus(int Mode, long Length, DateTimeOffset LastModified, uint Uid, uint Gid, uint Links)
{
    private const int WritableByOthers = 0x12; // 0022: group and world write
    private const int Sticky = 0x200;

    /// <summary>The filesystem the entry lives on (major and minor device number); with <see cref="Inode"/>, which entry it is.</summary>
    public ulong Device { get; init; }

    /// <summary>The entry's inode number on <see cref="Device"/>.</summary>
    public ulong Inode { get; init; }

    public bool IsDirectory => (Mode & Libc.SIfMt) == Libc.SIfDir;

    public bool IsRegularFile => (Mode & Libc.SIfMt) == Libc.SIfReg;

    public bool IsSymbolicLink => (Mode & Libc.SIfMt) == Libc.SIfLnk;

    /// <summary>The permission bits (with setuid, setgid and sticky), as <c>chmod</c> sets them.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    /// <summary>Group or others may write it (0022).</summary>
    public bool IsWritableByOthers => (Mode & WritableByOthers) != 0;

    /// <summary>The sticky bit: in such a directory only an entry's owner may rename or remove it.</summary>
    public bool IsSticky => (Mode & Sticky) != 0;

    /// <summary>
    /// A regular file everyone may read: the only kind the :81 server serves. Symlinks, FIFOs, sockets and
    /// devices are not regular; a file kept from others (a 0600 secret key, <c>/etc/shadow</c> hard-linked
    /// into the tree) is not public, whichever user the server runs as.
    /// </summary>
    public bool IsPublicFile => IsRegularFile && (Mode & (int)UnixFileMode.OtherRead) != 0;

    /// <summary>
    /// A directory whose entries no one but root and this process's user can add, remove or rename: owned by one
    /// of them and not group- or world-writable. Only a symlink inside such a directory may be followed by a
    /// privileged writer; anywhere else someone else may have planted it, or may swap it in at any moment.
    /// </summary>
    public bool IsTrustedDirectory => IsDirectory && IsOwnedByUs && !IsWritableByOthers;

    /// <summary>Owned by root or by the user this process runs as.</summary>
    public bool IsOwnedByUs => Uid == 0 || Uid == Libc.GetEuid();

    /// <summary>
    /// Whether the entry <paramref name="entry"/> of this directory stays what it is: the directory is trusted, or
    /// it is sticky (<c>/tmp</c>), owned by us, and the entry is ours too (others cannot rename what they do not own).
    /// </summary>
    public bool KeepsEntry(EntryStatus entry) =>
        IsTrustedDirectory || (IsDirectory && IsOwnedByUs && IsSticky && entry.IsOwnedByUs);
}
