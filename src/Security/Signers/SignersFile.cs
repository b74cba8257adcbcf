
using U7s.Security.Files;

namespace U7s.Security.Signers;

/// <summary>
/// The authorization file on local disk (<see cref="SignersDocument.DefaultPath"/>), read on every check
/// so <c>u7s create-imagemakeruser</c> applies without a restart; ownership and modes are checked on
/// every read too (<see cref="TrustedFile"/>), so a file that became writable by others grants nothing.
/// </summary>
public sealed class SignersFile(string path) : ISignerSource
{
    /// <summary>The setting that names the file, for messages.</summary>
    public const string Setting = "Registry:Auth:Signers";

    public string Description => path;

    public async Task<SignersDocument?> ReadOrNullAsync(CancellationToken cancellationToken)
    {
        if (TrustedFile.Problem(path, Setting) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        byte[] bytes;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            if (stream.Length > SignersDocument.MaxBytes)
            {
                throw new InvalidDataException($"{Setting} '{path}' is larger than {SignersDocument.MaxBytes} bytes");
            }

            bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return SignersDocument.Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Setting} '{path}' is invalid: {e.Message}", e);
        }
    }
}
