using System.Text;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Keys;

public sealed class SignerKeyStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly BouncyCastleOpenPgp _pgp = new();
    private readonly SignerKeyStore _store;

    public SignerKeyStoreTests() => _store = new SignerKeyStore(_temp.Combine("keys"), _pgp, TimeProvider.System);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Import_GpgExport_StoresSecret0600InDirectory0700()
    {
        var stored = Assert.Single(_store.Import(SampleKeys.SignerSecret, null));

        Assert.Equal(SampleKeys.SignerFingerprint, stored.Info.Fingerprint);
        Assert.Equal(Path.Combine(_store.Directory, SampleKeys.SignerFingerprint + ".sec.asc"), stored.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_store.Directory));
        Assert.StartsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----", File.ReadAllText(stored.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_IntoAServedTree_DirectlyOrThroughASymlink_IsRefusedAndNothingStored()
    {
        var served = _temp.Combine("sigstore");
        Directory.CreateDirectory(served);
        Directory.CreateSymbolicLink(_temp.Combine("alias"), served);

        foreach (var directory in new[] { Path.Combine(served, "keys"), served, _temp.Combine("alias", "keys", "deeper") })
        {
            var store = new SignerKeyStore(directory, _pgp, TimeProvider.System) { ServedRoots = ["/nonexistent/tree", served] };
            var e = Assert.Throws<KeyStoreException>(() => store.Import(SampleKeys.SignerSecret, null));
            Assert.Contains("which a server publishes", e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFileSystemEntries(served));
    }

    [Fact]
    public void Import_BesideAServedTree_IsStored()
    {
        var store = new SignerKeyStore(_temp.Combine("sigstore-keys"), _pgp, TimeProvider.System) { ServedRoots = [_temp.Combine("sigstore")] };

        Assert.Single(store.Import(SampleKeys.SignerSecret, null));
    }

    [Fact]
    public void Import_KeyWithSigningSubkey_IsRefusedAndNothingStored()
    {
        var e = Assert.Throws<KeyStoreException>(() => _store.Import(SampleKeys.SubkeySecret, null));

        Assert.Contains(SampleKeys.SubkeyFingerprint, e.Message, StringComparison.Ordinal);
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Import_WrongPassphrase_IsRefused()
    {
        Assert.Throws<KeyStoreException>(() => _store.Import(SampleKeys.ProtectedSecret, "wrong"));
        Assert.Single(_store.Import(SampleKeys.ProtectedSecret, SampleKeys.ProtectedPassphrase));
    }

    [Fact]
    public void Select_ByExactEmailOrFingerprint()
    {
        _store.Import(SampleKeys.SignerSecret, null);
        _store.Import(SampleKeys.ProtectedSecret, null);

        Assert.Equal(SampleKeys.SignerFingerprint, _store.Select(SampleKeys.SignerEmail).Info.Fingerprint);
        Assert.Equal(SampleKeys.ProtectedFingerprint, _store.Select(SampleKeys.ProtectedFingerprint.ToLowerInvariant()).Info.Fingerprint);
        Assert.Throws<KeyStoreException>(() => _store.Select("signer@example"));
        Assert.Throws<KeyStoreException>(() => _store.Select("<signer@example.test>"));
        Assert.Equal(2, _store.List().Count);
    }

    [Fact]
    public void Select_TwoKeysSameEmail_AsksForFingerprint()
    {
        var a = _store.Generate("A", "dup@example.test", KeySpec.Rsa(2048), null);
        var b = _store.Generate("B", "dup@example.test", KeySpec.Rsa(2048), null);

        var e = Assert.Throws<KeyStoreException>(() => _store.Select("dup@example.test"));

        Assert.Contains(a.Info.Fingerprint, e.Message, StringComparison.Ordinal);
        Assert.Contains(b.Info.Fingerprint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_ProtectedKey_NeedsRightPassphrase()
    {
        var key = Assert.Single(_store.Import(SampleKeys.ProtectedSecret, null));

        Assert.Throws<KeyStoreException>(() => _store.Unlock(key, null));
        Assert.Throws<KeyStoreException>(() => _store.Unlock(key, "bad"));
        var unlocked = _store.Unlock(key, SampleKeys.ProtectedPassphrase);
        Assert.Equal(SampleKeys.ProtectedFingerprint, unlocked.Fingerprint);
        Assert.DoesNotContain(SampleKeys.ProtectedPassphrase, unlocked.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Select_ExpiredKey_IsRefused()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Old", "old@example.test", KeySpec.Rsa(2048), null, DateTimeOffset.UtcNow.AddDays(-10), TimeSpan.FromDays(1)));
        var e = Assert.Throws<KeyStoreException>(() => _store.Import(secret, null));
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportPublic_IsArmoredAndPublishes0644()
    {
        var key = Assert.Single(_store.Import(SampleKeys.SignerSecret, null));
        var armored = _store.ExportPublic(key);

        var path = PublicKeyPublisher.Publish(_temp.Combine("www"), "imagemaker", armored);

        Assert.Equal(_temp.Combine("www", "keys", "imagemaker.pgp"), path);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", Encoding.ASCII.GetString(armored), StringComparison.Ordinal);
        Assert.Equal(SampleKeys.SignerFingerprint, Assert.Single(_pgp.ReadPublicKeys(File.ReadAllBytes(path), DateTimeOffset.UtcNow)).Fingerprint);
        Assert.Equal("644", Convert.ToString((int)File.GetUnixFileMode(path), 8));
        Assert.Throws<KeyStoreException>(() => PublicKeyPublisher.Publish(_temp.Path, "../etc", armored));
    }
}
