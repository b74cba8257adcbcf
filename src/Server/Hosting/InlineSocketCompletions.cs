namespace U7s.Server.Hosting;

/// <summary>
/// Socket completions run on the event threads that saw them (one per core) instead of being queued to the thread
/// pool. The signature store's GETs then never change threads: a 1 KiB signature costs less to serve than the two hops it
/// took before (with the store's inline scheduling, 1.2x the GETs per second on 2 cores).
/// The runtime reads the switch once, from the environment, when this process creates its first socket; so it is set
/// right after the settings are read, before anything listens or connects (<see cref="ServeStartup"/>), and only when
/// the content is on local disk. An environment that already names a value (0 turns it off) is left as it is.
/// The registry port still runs its handlers on the thread pool (only the transport's own work moves), and the server
/// code waits on nothing synchronously, which inline completions would turn into a stalled event thread.
/// </summary>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets reads it when its socket engines start).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns them on for this process unless the environment says otherwise; call before the first socket.</summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
