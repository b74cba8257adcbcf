using System.Globalization;

namespace U7s.Bench;

/// <summary>Collects samples per workload and server, then prints medians and U7s/peer ratios.</summary>
internal sealed class Report
{
    private readonly Dictionary<(string Workload, string Server), List<double>> _samples = [];
    private readonly List<Row> _rows = [];
    private readonly List<string> _notes = [];

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
    /// <param name="subject">The server whose value is compared with the peer's: <c>u7s</c> (the JIT build) unless named.</param>
    public void Compare(string workload, string unit, string peer, double target, bool higherIsBetter, string targetText, string subject = "u7s") =>
        _rows.Add(new Row(workload, unit, peer, target, higherIsBetter, targetText, subject));

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
        output.WriteLine($"{"workload",-34} {"unit",-8} {"server",-8} {"value",10} {"peer",-16} {"peer value",10} {"ratio",7}  {"target",-16} result");
        output.WriteLine(new string('-', 123));
        foreach (var row in _rows)
        {
            var ours = Median(row.Workload, row.Subject);
            var theirs = Median(row.Workload, row.Peer);
            if (ours is null || theirs is null || theirs == 0)
            {
                output.WriteLine($"{row.Workload,-34} {row.Unit,-8} {row.Subject,-8} {"n/a",10} {row.Peer,-16} {"n/a",10} {"n/a",7}  {row.TargetText,-16} not measured");
                continue;
            }

            var ratio = ours.Value / theirs.Value;
            var met = row.HigherIsBetter ? ratio >= row.Target : ratio <= row.Target;
            var result = row.TargetText.Length == 0 ? "(no target)" : met ? "met" : "MISSED";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Workload,-34} {row.Unit,-8} {row.Subject,-8} {ours,10:F1} {row.Peer,-16} {theirs,10:F1} {ratio,7:F2}  {row.TargetText,-16} {result}"));
        }

        foreach (var note in _notes)
        {
            output.WriteLine($"note: {note}");
        }
    }

    private sealed record Row(string Workload, string Unit, string Peer, double Target, bool HigherIsBetter, string TargetText, string Subject);
}
