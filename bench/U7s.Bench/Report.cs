using System.Globalization;

namespace U7s.Bench;

/// <summary>
/// Collects samples per workload and server, then prints medians and ratios. A row compares the
/// <see cref="Headline"/> build (the Native AOT binary nodes run, when the run has one) with a peer; the
/// JIT build's value and ratio follow in the same line as a secondary column.
/// </summary>
internal sealed class Report(string headline, string? secondary)
{
    private readonly Dictionary<(string Workload, string Server), List<double>> _samples = [];
    private readonly List<Row> _rows = [];
    private readonly List<string> _notes = [];

    /// <summary>The server name the target rows judge: <c>u7s-aot</c>, or <c>u7s</c> (JIT) in a run without the AOT binary.</summary>
    public string Headline { get; } = headline;

    /// <summary>The build shown beside the headline (<c>u7s</c>, the JIT build), or null.</summary>
    public string? Secondary { get; } = secondary;

    public void Add(string workload, string server, double value)
    {
        if (!_samples.TryGetValue((workload, server), out var list))
        {
            _samples[(workload, server)] = list = [];
        }

        list.Add(value);
    }

    public void Note(string note) => _notes.Add(note);

    /// <summary>
    /// Declares a comparison row; <paramref name="higherIsBetter"/> says which way the target points. An empty
    /// <paramref name="targetText"/> marks a row that only informs (no target to meet or miss).
    /// </summary>
    /// <param name="subject">The server whose value is compared with the peer's: <see cref="Headline"/> unless named (then no secondary column).</param>
    public void Compare(string workload, string unit, string peer, double target, bool higherIsBetter, string targetText, string? subject = null) =>
        _rows.Add(new Row(workload, unit, peer, target, higherIsBetter, targetText, subject ?? Headline, subject is null ? Secondary : null));

    public double? Median(string workload, string server)
    {
        if (!_samples.TryGetValue((workload, server), out var list) || list.Count == 0)
        {
            return null;
        }

        var sorted = list.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{"workload",-36} {"unit",-6} {"server",-16} {"value",9} {"peer",-16} {"peer value",10} {"ratio",6}  {"target",-16} {"result",-12} {(Secondary is null ? string.Empty : $"{Secondary} (ratio)")}");
        output.WriteLine(new string('-', 150));
        foreach (var row in _rows)
        {
            var ours = Median(row.Workload, row.Subject);
            var theirs = Median(row.Workload, row.Peer);
            if (ours is null || theirs is null || theirs == 0)
            {
                output.WriteLine($"{row.Workload,-36} {row.Unit,-6} {row.Subject,-16} {"n/a",9} {row.Peer,-16} {"n/a",10} {"n/a",6}  {row.TargetText,-16} not measured");
                continue;
            }

            var ratio = ours.Value / theirs.Value;
            var result = Judge(row) switch { null => "(no target)", true => "met", false => "MISSED" };
            var secondary = row.Secondary is { } name && Median(row.Workload, name) is { } value
                ? string.Create(CultureInfo.InvariantCulture, $"{value:F1} ({value / theirs.Value:F2})")
                : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Workload,-36} {row.Unit,-6} {row.Subject,-16} {ours,9:F1} {row.Peer,-16} {theirs,10:F1} {ratio,6:F2}  {row.TargetText,-16} {result,-12} {secondary}"));
        }

        var measured = _rows.Where(r => r.TargetText.Length > 0 && Median(r.Workload, r.Subject) is not null && Median(r.Workload, r.Peer) is > 0).ToList();
        output.WriteLine($"target rows of {Headline}: {measured.Count(r => Judge(r) is true)} met, {measured.Count(r => Judge(r) is false)} MISSED, {_rows.Count(r => r.TargetText.Length > 0) - measured.Count} not measured");
        foreach (var note in _notes)
        {
            output.WriteLine($"note: {note}");
        }
    }

    /// <summary>Met (true), missed (false), or null for a row without a target; an unmeasured target row counts as missed.</summary>
    private bool? Judge(Row row)
    {
        if (row.TargetText.Length == 0)
        {
            return null;
        }

        var ours = Median(row.Workload, row.Subject);
        var theirs = Median(row.Workload, row.Peer);
        if (ours is null || theirs is null || theirs == 0)
        {
            return false;
        }

        var ratio = ours.Value / theirs.Value;
        return row.HigherIsBetter ? ratio >= row.Target : ratio <= row.Target;
    }

    private sealed record Row(string Workload, string Unit, string Peer, double Target, bool HigherIsBetter, string TargetText, string Subject, string? Secondary);
}
