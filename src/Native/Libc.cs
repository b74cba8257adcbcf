using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace U7s.Native;

/// <summary>
/// The Linux calls .NET has no API for and <see cref="DirectoryHandle"/> needs: the <c>*at</c> family on a
/// directory descriptor, <c>openat2</c>, <c>statx</c> (its buffer has one layout on every architecture,
/// unlike <c>struct stat</c>), <c>readdir64</c>, <c>fchown</c>, <c>fsync</c> of a directory and the inode
/// flags <c>ioctl</c> (<c>chattr</c>). <c>openat</c>, <c>ioctl</c> and <c>syscall</c> are variadic in C; they
/// are declared with fixed integer arguments, which the Linux x86-64 and AArch64 calling conventions pass
/// the same way. Also <c>realpath</c>, for the key store's check that secrets stay outside served trees;
/// <c>flock</c>, the registry's lock between processes; <c>sync_file_range</c>, which starts an upload's
/// writeback early.
/// </summary>
internal static partial class Libc
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;

    public const int ORdOnly = 0;
    public const int ORdWr = 2;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;

    /// <summary><c>O_DIRECTORY</c> and <c>O_NOFOLLOW</c> are the two open flags whose values differ between architectures.</summary>
    public static readonly int ODirectory = ArmStyleFlags() ? 0x4000 : 0x10000;

    public static readonly int ONoFollow = ArmStyleFlags() ? 0x8000 : 0x20000;

    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;

    public const int EPerm = 1;
    public const int EIntr = 4;
    public const int ENoEnt = 2;
    public const int ENxIo = 6;
    public const int EAgain = 11;
    public const int EAccess = 13;
    public const int EExist = 17;
    public const int EXDev = 18;
    public const int ENoDev = 19;
    public const int ENotDir = 20;
    public const int EInval = 22;
    public const int ENameTooLong = 36;
    public const int ENoSys = 38;
    public const int ELoop = 40;

    public const int SIfMt = 0xF000;
    public const int SIfDir = 0x4000;
    public const int SIfReg = 0x8000;
    public const int SIfLnk = 0xA000;

    public const int LockShared = 1;
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;

    public const uint SyncFileRangeWrite = 2;

    /// <summary><c>FS_IMMUTABLE_FL</c>, the flag <c>chattr +i</c> sets.</summary>
    public const int FsImmutable = 0x10;

    private const uint StatxBasicStats = 0x7ff;
    private const nint SysOpenat2 = 437;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(SafeFileHandle directory, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int directory, string path, int flags, uint mode);

    /// <summary><c>openat2(2)</c> (Linux 5.6) through <c>syscall(2)</c>: glibc 2.36 has no wrapper.</summary>
    public static int OpenAt2(SafeFileHandle directory, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        return (int)Syscall(SysOpenat2, directory, path, ref how, (nuint)Marshal.SizeOf<OpenHow>());
    }

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(SafeFileHandle directory, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(SafeFileHandle oldDirectory, string oldPath, SafeFileHandle newDirectory, string newPath, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(SafeFileHandle oldDirectory, string oldPath, SafeFileHandle newDirectory, string newPath);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(SafeFileHandle directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, SafeFileHandle directory, string path);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FChownAt(SafeFileHandle directory, string path, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(SafeFileHandle file, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static unsafe partial nint PRead(SafeFileHandle file, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(SafeFileHandle file);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeFileHandle file, int operation);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(SafeFileHandle file, long offset, long count, uint flags);

    /// <summary><c>readlinkat(2)</c>: the target of the symlink <paramref name="path"/>; null with errno set on failure.</summary>
    public static string? ReadLinkAt(SafeFileHandle directory, string path)
    {
        var buffer = new byte[4096];
        var length = ReadLinkAtCall(directory, path, buffer, (nuint)buffer.Length);
        return length < 0 || length >= buffer.Length ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    /// <summary>The inode flags (<c>FS_IOC_GETFLAGS</c>); false with errno set on failure.</summary>
    public static bool GetInodeFlags(SafeFileHandle file, out int flags)
    {
        flags = 0;
        return Ioctl(file, InodeFlagsRequest(write: false), ref flags) == 0;
    }

    /// <summary>Sets the inode flags (<c>FS_IOC_SETFLAGS</c>); false with errno set on failure.</summary>
    public static bool SetInodeFlags(SafeFileHandle file, int flags) => Ioctl(file, InodeFlagsRequest(write: true), ref flags) == 0;

    /// <summary><c>statx(2)</c> of <paramref name="path"/> under <paramref name="directory"/>; null with errno set on failure.</summary>
    public static EntryStatus? StatX(SafeFileHandle directory, string path, int flags)
    {
        var buffer = default(Statx);
        return StatxCall(directory, path, flags, StatxBasicStats, ref buffer) == 0 ? Status(buffer) : null;
    }

    /// <summary><c>statx(2)</c> of <paramref name="path"/> (absolute, or relative to the working directory); null with errno set on failure.</summary>
    public static EntryStatus? StatX(string path, int flags)
    {
        var buffer = default(Statx);
        return StatxPathCall(AtFdCwd, path, flags, StatxBasicStats, ref buffer) == 0 ? Status(buffer) : null;
    }

    private static EntryStatus Status(in Statx buffer) =>
        new(
            buffer.Mode,
            (long)buffer.Size,
            DateTimeOffset.FromUnixTimeSeconds(buffer.MtimeSeconds).AddTicks(buffer.MtimeNanoseconds / 100),
            buffer.Uid,
            buffer.Gid,
            buffer.Links)
        {
            Device = ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor,
            Inode = buffer.Inode,
        };

    /// <summary>Takes ownership of <paramref name="fd"/>; closedir closes it.</summary>
    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    public static partial nint ReadDir64(nint directory);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint directory);

    /// <summary>The name of a <c>struct dirent64</c>: after d_ino (8), d_off (8), d_reclen (2) and d_type (1) on every architecture.</summary>
    public static string? DirentName(nint entry) => Marshal.PtrToStringUTF8(entry + 19);

    /// <summary><c>realpath(3)</c>: the canonical path with every symlink resolved; null when it cannot be resolved.</summary>
    public static string? RealPathOrNull(string path)
    {
        var resolved = RealPath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    public static IOException Error(int errno, string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}");

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Syscall(nint number, SafeFileHandle directory, string path, ref OpenHow how, nuint size);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadLinkAtCall(SafeFileHandle directory, string path, [Out] byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(SafeFileHandle file, nuint request, ref int argument);

    // _IOR/_IOW('f', 1|2, long) in the asm-generic encoding x86-64 and AArch64 share; the kernel reads an int.
    private static nuint InodeFlagsRequest(bool write) => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => write ? 0x40086602u : 0x80086601u,
        var other => throw new PlatformNotSupportedException($"the inode flags ioctl is not known for {other}"),
    };

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxCall(SafeFileHandle directory, string path, int flags, uint mask, ref Statx buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxPathCall(int directory, string path, int flags, uint mask, ref Statx buffer);

    // Arm, AArch64 and PowerPC have their own O_DIRECTORY/O_NOFOLLOW; x86, x86-64, RISC-V, LoongArch and s390x use asm-generic's.
    private static bool ArmStyleFlags() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le => true,
        Architecture.X86 or Architecture.X64 or Architecture.RiscV64 or Architecture.LoongArch64 or Architecture.S390x => false,
        var other => throw new PlatformNotSupportedException($"the open flags of {other} are not known"),
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary><c>struct statx</c> (256 bytes), only the fields read here.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(16)]
        public uint Links;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
