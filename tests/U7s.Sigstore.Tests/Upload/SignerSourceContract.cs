using System.Text;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Tests.Upload;

/// <summary>
/// The contract every <see cref="ISignerSource"/> must pass: the document as last written, read afresh on every
/// call, and a malformed or oversized one refused with one line rather than read as "nobody has rights".
/// </summary>
public abstract class SignerSourceContract : IAsyncLifetime
{
    protected ISignerSource Source { get; private set; } = null!;

    public async Task InitializeAsync() => Source = await CreateAsync();

    public abstract Task DisposeAsync();

    /// <summary>A source over an empty place of the backend.</summary>
    protected abstract Task<ISignerSource> CreateAsync();

    /// <summary>Puts <paramref name="content"/> where the source reads, as <c>create-imagemakeruser</c> does (replacing what was there).</summary>
    protected abstract Task PublishAsync(byte[] content);

    /// <summary>Removes the document.</summary>
    protected abstract Task RemoveAsync();

    [ContractFact]
    public async Task NothingPublished_IsNull()
    {
        Assert.Null(await Source.ReadOrNullAsync(default));
        Assert.False(string.IsNullOrWhiteSpace(Source.Description));
    }

    [ContractFact]
    public async Task Published_IsReadAsWritten()
    {
        await PublishAsync(Document(("registry.local/app", "bob")));

        var read = await Source.ReadOrNullAsync(default);

        Assert.NotNull(read);
        Assert.Equal(["bob"], read.Keys.Keys);
        Assert.Equal(Encoding.ASCII.GetString(SampleKeys.SignerPublic), read.Keys["bob"]);
        Assert.Contains("registry.local/app", read.PolicyJson, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Replaced_IsReadAgain_WithoutARestart_AndRemoved_IsNullAgain()
    {
        await PublishAsync(Document(("registry.local/app", "bob")));
        Assert.Equal(["bob"], (await Source.ReadOrNullAsync(default))!.Keys.Keys);

        await PublishAsync(Document(("registry.local/app", "alice")));
        Assert.Equal(["alice"], (await Source.ReadOrNullAsync(default))!.Keys.Keys);

        await RemoveAsync();
        Assert.Null(await Source.ReadOrNullAsync(default));
    }

    [ContractTheory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"policy\": 5}")]
    public async Task Malformed_IsRefusedWithOneLine_NeverReadAsNoRights(string content)
    {
        await PublishAsync(Encoding.UTF8.GetBytes(content));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Source.ReadOrNullAsync(default));

        Assert.Contains(Source.Description, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [ContractFact]
    public async Task LargerThanTheLimit_IsRefused_WithoutBeingParsed()
    {
        var valid = Document(("registry.local/app", "bob"));
        var padded = new byte[SignersDocument.MaxBytes + 1];
        padded.AsSpan().Fill((byte)' ');
        valid.CopyTo(padded, 0);

        await PublishAsync(padded);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Source.ReadOrNullAsync(default));
        Assert.DoesNotContain('\n', e.Message);
    }

    protected static byte[] Document(params (string Scope, string User)[] signers) =>
        SignersDocument.Create(TestSigners.Policy(signers), signers.Select(s => s.User).Distinct().ToDictionary(u => u, _ => Encoding.ASCII.GetString(SampleKeys.SignerPublic))).ToJson();
}
