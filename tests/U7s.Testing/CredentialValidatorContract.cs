using System.Diagnostics;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Sigstore.Upload;
using Xunit;

namespace U7s.Testing;

/// <summary>
/// The contract every <see cref="ICredentialValidator"/> over an htpasswd file must pass, its timing promises
/// included: an unknown name costs what a wrong password costs (the answer time lists no users), and
/// <see cref="ICredentialValidator.IsRemembered"/> costs next to nothing. The times are compared with each other,
/// never with a fixed budget: a bcrypt check is a thousand times dearer than a look-up, whatever the machine.
/// </summary>
public abstract class CredentialValidatorContract : IDisposable
{
    private const int Samples = 7;
    private readonly TempDirectory _dir = new("u7s-credentials");

    protected CredentialValidatorContract()
    {
        Path = _dir.Combine("htpasswd");
        new HtpasswdFile(Path).Set("bob", "bob-pw");
        new HtpasswdFile(Path).Set("alice", "alice-pw");
    }

    /// <summary>The htpasswd file the validator reads (bcrypt, cost 10, as <c>htpasswd -B</c> writes).</summary>
    protected string Path { get; }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The validator over <paramref name="htpasswd"/>, as the server opens it.</summary>
    protected abstract ICredentialValidator Open(string htpasswd);

    [ContractFact]
    public async Task RightPassword_Accepted_WrongPasswordAndUnknownUser_Refused()
    {
        var validator = Open(Path);

        Assert.True(validator.HasUsers);
        Assert.True(await validator.ValidateAsync("bob", "bob-pw", default));
        Assert.True(await validator.ValidateAsync("alice", "alice-pw", default));
        Assert.False(await validator.ValidateAsync("bob", "alice-pw", default));
        Assert.False(await validator.ValidateAsync("bob", "bob-pw ", default));
        Assert.False(await validator.ValidateAsync("mallory", "bob-pw", default));
        Assert.False(await validator.ValidateAsync(string.Empty, string.Empty, default));
    }

    [ContractFact]
    public async Task UnknownUser_CostsWhatAWrongPasswordCosts()
    {
        var validator = Open(Path);
        var check = await MedianAsync(() => validator.ValidateAsync("alice", "wrong", default));
        var unknown = await MedianAsync(() => validator.ValidateAsync("nobody", "wrong", default));
        var known = await MedianAsync(() => validator.ValidateAsync("bob", "also-wrong", default));

        // Both do one bcrypt check of the file's cost: within a factor of two of each other on any machine, where
        // skipping the check would be a thousand times quicker.
        Assert.True(unknown >= check / 2 && unknown <= check * 2, $"unknown user {unknown.TotalMilliseconds:F1} ms, wrong password {check.TotalMilliseconds:F1} ms");
        Assert.True(known >= check / 2 && known <= check * 2, $"wrong password {known.TotalMilliseconds:F1} ms and {check.TotalMilliseconds:F1} ms");
        Assert.True(check > TimeSpan.FromMilliseconds(5), $"a check took {check.TotalMilliseconds:F2} ms: no bcrypt work was done");
    }

    [ContractFact]
    public async Task IsRemembered_NeverForAWrongPasswordOrAStranger_AndCostsNextToNothing()
    {
        var validator = Open(Path);
        Assert.True(await validator.ValidateAsync("bob", "bob-pw", default));
        Assert.False(await validator.ValidateAsync("alice", "wrong", default));

        Assert.False(validator.IsRemembered("bob", "wrong"));
        Assert.False(validator.IsRemembered("alice", "wrong"));
        Assert.False(validator.IsRemembered("alice", "alice-pw"));
        Assert.False(validator.IsRemembered("nobody", "bob-pw"));
        var remembered = validator.IsRemembered("bob", "bob-pw");

        var check = await MedianAsync(() => validator.ValidateAsync("alice", "wrong", default));
        var look = await MedianAsync(() => Task.FromResult(validator.IsRemembered("bob", "bob-pw")));
        Assert.True(look < check / 10, $"IsRemembered took {look.TotalMilliseconds:F3} ms, a check {check.TotalMilliseconds:F1} ms");
        Assert.Equal(remembered, validator.IsRemembered("bob", "bob-pw"));
    }

    [ContractFact]
    public async Task EditedFile_AppliesAtTheNextCheck_WithoutARestart()
    {
        var validator = Open(Path);
        Assert.True(await validator.ValidateAsync("bob", "bob-pw", default));

        // A new password, written a little later so the file's time surely moves.
        await Task.Delay(20);
        new HtpasswdFile(Path).Set("bob", "new-pw");
        File.SetLastWriteTimeUtc(Path, DateTime.UtcNow.AddSeconds(1));

        Assert.False(validator.IsRemembered("bob", "bob-pw"));
        Assert.False(await validator.ValidateAsync("bob", "bob-pw", default));
        Assert.True(await validator.ValidateAsync("bob", "new-pw", default));
    }

    [ContractFact]
    public async Task MissingFile_NobodyLogsIn_ButLoginsStayOn()
    {
        var validator = Open(_dir.Combine("absent"));

        Assert.True(validator.HasUsers);
        Assert.False(await validator.ValidateAsync("bob", "bob-pw", default));
        Assert.False(validator.IsRemembered("bob", "bob-pw"));
    }

    private static async Task<TimeSpan> MedianAsync<T>(Func<Task<T>> action)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < Samples; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = await action();
            times.Add(clock.Elapsed);
        }

        return times.Order().ElementAt(Samples / 2);
    }
}
