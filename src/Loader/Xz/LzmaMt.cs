using System.Runtime.InteropServices;

namespace U7s.Loader.Xz;

/// <summary>
/// <c>lzma_mt</c> from lzma/container.h (xz 5.4): options of the threaded encoder and decoder.
/// 128 bytes on LP64; field order MUST follow the header (the memlimit fields are the 5.4 decoder
/// additions that replaced two reserved <c>uint64_t</c>s).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LzmaMt
{
    public uint Flags;
    public uint Threads;
    public ulong BlockSize;
    public uint Timeout;
    public uint Preset;
    public nint Filters;
    public int Check;
    public int ReservedEnum1;
    public int ReservedEnum2;
    public int ReservedEnum3;
    public uint ReservedInt1;
    public uint ReservedInt2;
    public uint ReservedInt3;
    public uint ReservedInt4;
    public ulong MemlimitThreading;
    public ulong MemlimitStop;
    public ulong ReservedInt7;
    public ulong ReservedInt8;
    public nint ReservedPtr1;
    public nint ReservedPtr2;
    public nint ReservedPtr3;
    public nint ReservedPtr4;
}
