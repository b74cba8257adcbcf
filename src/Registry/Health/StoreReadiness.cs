using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Health;

/// <summary>
/// Whether this replica's store answers, for the readiness endpoint a load balancer checks. A probe
/// (<see cref="IStorageProbe"/>: one HEAD of the bucket, or a look at the data root) runs at most once per
/// <see cref="Reuse"/> however many checks arrive, and never twice at once, so health checks cannot load the store.
/// A check waits for a probe at most <see cref="RegistryOptions.ReadinessTimeout"/>; while the store is known not
/// to answer, checks answer at once. A request that found the store unavailable makes readiness say so at once,
/// until a probe finds it answering again.
/// </summary>
public sealed partial class StoreReadiness(IStorageProbe probe, RegistryOptions options, TimeProvider time, ILogger<StoreReadiness> logger)
{
    /// <summary>How long one probe's answer stands.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Verdict? _last;
    private Task<Verdict>? _probing;

    /// <summary>Null when the store answers; otherwise why not (for the log, not for anonymous callers).</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        Verdict? last;
        Task<Verdict> probing;
        lock (_gate)
        {
            last = _last;
            if (last is not null && time.GetElapsedTime(last.At) < Reuse)
            {
                return last.Problem;
            }

            // On a pool thread, so the probe's own bookkeeping (under the gate) never runs inside this block.
            probing = _probing ??= Task.Run(ProbeAsync, CancellationToken.None);
        }

        if (last?.Problem is { } known)
        {
            // Known down: say so now; the probe under way decides the next answer.
            return known;
        }

        try
        {
            return (await probing.WaitAsync(options.ReadinessTimeout, cancellationToken)).Problem;
        }
        catch (TimeoutException)
        {
            return $"the store did not answer within {options.ReadinessTimeout:g}";
        }
    }

    /// <summary>A request found the store unavailable: readiness says so until a probe finds it answering again.</summary>
    public void ReportUnavailable(StorageException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        lock (_gate)
        {
            Record(new Verdict(failure.Message, time.GetTimestamp()));
        }
    }

    private async Task<Verdict> ProbeAsync()
    {
        string? problem = null;
        try
        {
            await probe.ProbeAsync(options.ReadinessTimeout, CancellationToken.None);
        }
        catch (StorageException e)
        {
            problem = e.Message;
        }

        var verdict = new Verdict(problem, time.GetTimestamp());
        lock (_gate)
        {
            Record(verdict);
            _probing = null;
        }

        return verdict;
    }

    /// <summary>Keeps <paramref name="verdict"/>, logging a change of state once (not every check).</summary>
    private void Record(Verdict verdict)
    {
        if (verdict.Problem is { } problem && _last?.Problem is null)
        {
            Log.Unavailable(logger, problem);
        }
        else if (verdict.Problem is null && _last?.Problem is not null)
        {
            Log.Available(logger);
        }

        _last = verdict;
    }

    private sealed record Verdict(string? Problem, long At);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The store does not answer ({Problem}): readiness answers 503 until it does")]
        public static partial void Unavailable(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "The store answers again: readiness answers 200")]
        public static partial void Available(ILogger logger);
    }
}
