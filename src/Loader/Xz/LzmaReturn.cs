namespace U7s.Loader.Xz;

/// <summary><c>lzma_ret</c> from lzma/base.h.</summary>
internal enum LzmaReturn
{
    Ok = 0,
    StreamEnd = 1,
    NoCheck = 2,
    UnsupportedCheck = 3,
    GetCheck = 4,
    MemError = 5,
    MemlimitError = 6,
    FormatError = 7,
    OptionsError = 8,
    DataError = 9,
    BufError = 10,
    ProgError = 11,
    SeekNeeded = 12,
}
