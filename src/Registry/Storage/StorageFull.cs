namespace U7s.Registry.Storage;

/// <summary>Tells a write that failed for want of space from other I/O failures.</summary>
internal static class StorageFull
{
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>
    /// True for "no space left on device" and "disk quota exceeded". .NET reports them as a plain
    /// <see cref="IOException"/> whose HResult is the errno on Unix (the Win32 error as an HRESULT on Windows).
    /// </summary>
    public static bool Is(Exception exception) =>
        exception is IOException { HResult: NoSpace or QuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull };
}
