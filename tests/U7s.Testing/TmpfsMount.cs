namespace U7s.Testing;

/// <summary>
/// A small tmpfs mounted on a fresh temp directory, for tests that need a filesystem that really fills up
/// (ENOSPC from the kernel, not a simulation). Needs root and a kernel that lets this container mount.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private static readonly Lazy<string?> Probe = new(ProbeSkipReason);
    private readonly TempDirectory _directory;

    private TmpfsMount(TempDirectory directory) => _directory = directory;

    /// <summary>Why no tmpfs can be mounted here (tried once per process), or null when it can.</summary>
    public static string? SkipReason => Probe.Value;

    public string Path => _directory.Path;

    public static async Task<TmpfsMount> CreateAsync(long bytes)
    {
        var directory = new TempDirectory("u7s-tmpfs");
        var result = await ExternalProcess.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={bytes},mode=0755", "tmpfs", directory.Path]);
        if (result.ExitCode != 0)
        {
            directory.Dispose();
            throw new InvalidOperationException($"mount tmpfs failed ({result.ExitCode}): {result.StandardError}");
        }

        return new TmpfsMount(directory);
    }

    public async ValueTask DisposeAsync()
    {
        // Lazy: a file a test still holds open must not leave the mount behind.
        await ExternalProcess.RunAsync("umount", ["-l", _directory.Path]);
        _directory.Dispose();
    }

    private static string? ProbeSkipReason()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "mounting a tmpfs needs root";
        }

        if (Tool.Find("mount") is null || Tool.Find("umount") is null)
        {
            return "not installed: mount, umount";
        }

        try
        {
            var mount = CreateAsync(1024 * 1024).GetAwaiter().GetResult();
            mount.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"this machine cannot mount a tmpfs: {e.Message}";
        }
    }
}
