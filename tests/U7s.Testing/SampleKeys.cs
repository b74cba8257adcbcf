namespace U7s.Testing;

/// <summary>The THROWAWAY keys of <c>keys-sample/</c> (see its README), copied next to every test assembly.</summary>
public static class SampleKeys
{
    public const string SignerFingerprint = "28728B9DBEF187556BA9281DBE0E68D2EBCA684E";
    public const string SignerEmail = "signer@example.test";
    public const string ProtectedFingerprint = "5ED04587D5EEDE45E6728F937EA8E6A5A657B215";
    public const string ProtectedEmail = "protected@example.test";
    public const string ProtectedPassphrase = "sample";
    public const string SubkeyPrimaryFingerprint = "810E4C747007E638F1139BFFFC696F1030BEC1F9";
    public const string SubkeyFingerprint = "BAD6BB180E2C83BDAB49ED088878B1B45FBC8628";
    public const string SubkeyEmail = "subkey@example.test";

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "keys-sample", file);

    public static byte[] Read(string file) => File.ReadAllBytes(PathOf(file));

    public static byte[] SignerSecret => Read("signer.sec.asc");

    public static byte[] SignerPublic => Read("signer.pub.asc");

    public static byte[] ProtectedSecret => Read("protected.sec.asc");

    public static byte[] ProtectedPublic => Read("protected.pub.asc");

    public static byte[] SubkeySecret => Read("subkey.sec.asc");

    public static byte[] SubkeyPublic => Read("subkey.pub.asc");
}
