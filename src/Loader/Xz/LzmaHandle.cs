using System.Runtime.InteropServices;

namespace U7s.Loader.Xz;

/// <summary>
/// Owns an <see cref="LzmaStream"/> in unmanaged memory. liblzma keeps internal state that must
/// not move, so the struct lives outside the GC heap; release calls <c>lzma_end</c> then frees it.
/// </summary>
internal sealed unsafe class LzmaHandle : SafeHandle
{
    public LzmaHandle()
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(LzmaStream)));
    }

    public override bool IsInvalid => handle == nint.Zero;

    public LzmaStream* Stream => (LzmaStream*)handle;

    protected override bool ReleaseHandle()
    {
        // lzma_end is a no-op on a stream no coder was initialised on (internal == NULL).
        LzmaNative.End((LzmaStream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
