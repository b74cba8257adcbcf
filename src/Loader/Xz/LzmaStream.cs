using System.Runtime.InteropServices;

namespace U7s.Loader.Xz;

/// <summary>
/// <c>lzma_stream</c> from lzma/base.h (xz 5.4). Same layout on every LP64 target (x86_64, arm64):
/// pointers and <c>size_t</c> are 8 bytes, <c>uint64_t</c> 8, the two trailing enums 4 each;
/// 136 bytes in total with natural alignment. Field order MUST follow the header exactly.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LzmaStream
{
    public nint NextIn;
    public nuint AvailIn;
    public ulong TotalIn;
    public nint NextOut;
    public nuint AvailOut;
    public ulong TotalOut;
    public nint Allocator;
    public nint Internal;
    public nint ReservedPtr1;
    public nint ReservedPtr2;
    public nint ReservedPtr3;
    public nint ReservedPtr4;
    public ulong SeekPos;
    public ulong ReservedInt2;
    public nuint ReservedInt3;
    public nuint ReservedInt4;
    public int ReservedEnum1;
    public int ReservedEnum2;
}
