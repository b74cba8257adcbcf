using System.Runtime.InteropServices;

namespace U7s.Loader.Xz;

/// <summary>
/// The few liblzma entry points the xz streams need. Binds the versioned soname: the bare
/// <c>liblzma.so</c> exists only with the -dev package.
/// </summary>
internal static unsafe partial class LzmaNative
{
    public const string Library = "liblzma.so.5";

    public const uint Concatenated = 0x08;
    public const int CheckCrc64 = 4;
    public const int ActionRun = 0;
    public const int ActionFinish = 3;

    /// <summary>Size liblzma expects for <see cref="LzmaStream"/> on LP64 (checked by a test).</summary>
    public const int StreamSize = 136;

    /// <summary>Size liblzma expects for <see cref="LzmaMt"/> on LP64 (checked by a test).</summary>
    public const int MtSize = 128;

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder")]
    public static partial LzmaReturn StreamDecoder(LzmaStream* stream, ulong memlimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder_mt")]
    public static partial LzmaReturn StreamDecoderMt(LzmaStream* stream, LzmaMt* options);

    [LibraryImport(Library, EntryPoint = "lzma_stream_encoder_mt")]
    public static partial LzmaReturn StreamEncoderMt(LzmaStream* stream, LzmaMt* options);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    public static partial LzmaReturn Code(LzmaStream* stream, int action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    public static partial void End(LzmaStream* stream);

    [LibraryImport(Library, EntryPoint = "lzma_version_string")]
    public static partial nint VersionString();

    public static string Describe(LzmaReturn code) => code switch
    {
        LzmaReturn.MemError => "liblzma could not allocate memory",
        LzmaReturn.MemlimitError => "the xz stream needs more memory than the configured limit",
        LzmaReturn.FormatError => "not xz data (wrong magic bytes)",
        LzmaReturn.OptionsError => "unsupported xz options",
        LzmaReturn.DataError => "corrupt xz data",
        LzmaReturn.BufError => "truncated xz data (unexpected end of input)",
        LzmaReturn.UnsupportedCheck => "unsupported xz integrity check",
        LzmaReturn.ProgError => "liblzma programming error",
        _ => $"liblzma error {(int)code}",
    };
}
