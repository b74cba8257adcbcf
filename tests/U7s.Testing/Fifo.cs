namespace U7s.Testing;

/// <summary>Named pipes planted where a file is expected: an <c>open(2)</c> for reading blocks until a writer comes.</summary>
public static class Fifo
{
    public static async Task CreateAsync(string path) =>
        (await ExternalProcess.RunAsync("mkfifo", [path])).EnsureSuccess("mkfifo");

    /// <summary>Opening a FIFO read-write never blocks on Linux and releases a reader stuck in open.</summary>
    public static void Unblock(string fifo)
    {
        using var handle = File.OpenHandle(fifo, FileMode.Open, FileAccess.ReadWrite);
    }
}
