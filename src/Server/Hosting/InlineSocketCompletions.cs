namespace U7s.Server.Hosting;

/// <summary>
/// Socket completions run on the event threads that saw them (one per core) instead of being queued to the thread
/// pool. The signature store's GETs then never change threads: a 1 KiB signature costs less to serve than the two hops it
/// took before (with the store's inline scheduling, 1.2x the GETs per second on 2 cores).
/// The runtime reads the switch once, from the environment, when the process creates its first socket; so it is set
/// right after the settings are read, before anything listens or connects (<see cref="ServeStartup"/>), and only by a
/// process that is u7s itself. On local storage an environment that already names a value (0 turns it off) is left as
/// it is. With S3 the switch is always off: the S3 client's continuations would run on the event threads too, and the
/// SDK reads its XML answers with blocking reads; one on an event thread waits for the data that very thread was to
/// deliver (a start on S3 with inline completions hung there: gdb showed the event thread in NetworkStream.Read).
/// The registry port still runs its handlers on the thread pool (only the transport's own work moves), and the server
/// code waits on nothing synchronously, which inline completions would turn into a stalled event thread.
/// </summary>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets reads it when its socket engines start).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the switch for this process's storage; call before its first socket. Returns a warning, or null.</summary>
    public static string? Configure(bool onS3)
    {
        var current = Environment.GetEnvironmentVariable(Variable);
        if (!onS3)
        {
            if (current is null)
            {
                Environment.SetEnvironmentVariable(Variable, "1");
            }

            return null;
        }

        if (current != "1")
        {
            return null;
        }

        Environment.SetEnvironmentVariable(Variable, "0");
        return $"{Variable}=1 is ignored with S3 storage: the S3 client would block the socket event threads";
    }
}
