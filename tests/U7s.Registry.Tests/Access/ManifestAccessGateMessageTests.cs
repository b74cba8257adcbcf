using U7s.Registry.Access;

namespace U7s.Registry.Tests.Access;

/// <summary>The refusal's message goes to skopeo's and podman's stderr as it is: it must be one inert line, bounded.</summary>
public sealed class ManifestAccessGateMessageTests
{
    [Theory]
    [InlineData("identity x\u001b[2Jy is not accepted", "identity x?[2Jy is not accepted")]
    [InlineData("a\nforged line\r", "a?forged line?")]
    [InlineData("evil\u202Etxt.exe\u2028next", "evil?txt.exe?next")]
    [InlineData("Иван Петров <ivan@example.test>", "Иван Петров <ivan@example.test>")]
    public void ClientMessage_ControlAndFormatCharacters_Neutralised(string reason, string expected) =>
        Assert.Equal(expected, ManifestAccessGate.ClientMessage(reason));

    [Fact]
    public void ClientMessage_ManyReasons_CutToTheBound()
    {
        var message = ManifestAccessGate.ClientMessage(string.Concat(Enumerable.Repeat("Signature by key X is not accepted; ", 500)));
        Assert.Equal(2000, message.Length);
        Assert.EndsWith("…", message, StringComparison.Ordinal);
    }
}
