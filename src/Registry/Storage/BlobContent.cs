namespace U7s.Registry.Storage;

/// <summary>
/// An opened blob. <see cref="PhysicalPath"/> is set when the bytes are a local file, so the HTTP
/// layer can hand it to the kernel (sendfile) instead of copying through user space.
/// </summary>
public sealed class BlobContent(Stream stream, long length, string? physicalPath) : IAsyncDisposable, IDisposable
{
    public Stream Stream { get; } = stream;

    public long Length { get; } = length;

    public string? PhysicalPath { get; } = physicalPath;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    public void Dispose() => Stream.Dispose();
}
