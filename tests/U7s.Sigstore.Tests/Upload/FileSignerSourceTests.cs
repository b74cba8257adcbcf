using U7s.Security.Signers;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Tests.Upload;

/// <summary>The signer source contract on the root-owned authorization file.</summary>
public sealed class FileSignerSourceTests : SignerSourceContract
{
    private readonly TempDirectory _dir = new("u7s-signers");

    private string Path => _dir.Combine("signers.json");

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    protected override Task<ISignerSource> CreateAsync() => Task.FromResult<ISignerSource>(new SignersFile(Path));

    protected override async Task PublishAsync(byte[] content)
    {
        // Through a temp file and a rename, as create-imagemakeruser writes it; mode 0644.
        var temp = _dir.Combine(".signers.tmp");
        await File.WriteAllBytesAsync(temp, content);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, Path, overwrite: true);
    }

    protected override Task RemoveAsync()
    {
        File.Delete(Path);
        return Task.CompletedTask;
    }
}
