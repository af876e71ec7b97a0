using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;

namespace Supervision.Orchestrations;

/// <summary>One labelled count.</summary>
public sealed record AnalysisCount(string Key, string? Name, long Count);

/// <summary>A month of the trend: registrations and repeats, with the change on the month before and the same month a year before.</summary>
/// <param name="MonthOverMonth">(this − previous) / previous; null when the previous month had none.</param>
/// <param name="YearOverYear">(this − a year before) / a year before; null when that month had none.</param>
public sealed record AnalysisMonth(string Month, long Received, long Repeats, double? MonthOverMonth, double? YearOverYear);

/// <summary>One unit's (or area's) month.</summary>
public sealed record AnalysisUnit(string UnitId, string? UnitName, string? Region, long Received, long Repeats);

/// <summary>Overdue clocks and ratings of the units answerable for the cases.</summary>
public sealed record AnalysisHandling(
    string UnitId, string? UnitName, long Overdue, long Satisfied, long BasicallySatisfied, long Dissatisfied, double? SatisfactionRate);

/// <summary>A hot matter: a short label of its fingerprint (never the petitioner's) and its petitions this month.</summary>
public sealed record AnalysisMatter(string MatterKey, long Petitions);

/// <summary>The analysis (分析研判) of a month as the viewer may see it (docs/analysis.md).</summary>
public sealed record AnalysisReport(
    string Month, Instant AsOf, long Received, long Repeats, IReadOnlyList<AnalysisMonth> Trend, IReadOnlyList<AnalysisCount> ByCategory,
    IReadOnlyList<AnalysisCount> ByChannel, IReadOnlyList<AnalysisUnit> ByUnit, IReadOnlyList<AnalysisCount> ByArea,
    IReadOnlyList<AnalysisMatter> HotMatters, IReadOnlyList<AnalysisHandling> Handling);

/// <summary>What an analysis read cost: the RowKey ranges queried and the rows they returned (the bench reports both).</summary>
public sealed record AnalysisRead(AnalysisReport Report, int Ranges, int Rows);

/// <summary>
/// Reads the <see cref="AnalysisCounters"/> aggregates, never the cases (decisions A21, A22). For the month itself, the
/// <c>u|</c>, <c>t|</c> (hot matters) and <c>h|</c> (handling) ranges of the governments in the viewer's scope (one per
/// government and kind, the whole month when they are many, or one unit's); for the rest of the trend window and
/// the twelve months before it (year over year), one range of each scope government's <c>g|</c> time series.
/// <c>governments</c> are the governments whose units the viewer oversees (null: every unit, for an administrator);
/// <c>unit</c> narrows to one unit; <c>inScope</c> still says which units the viewer may see with today's directory;
/// <c>guarded</c> drops rows of an accusation against the viewer (category, accused unit, accused person).
/// </summary>
public static class AnalysisQuery
{
    public const int HotMatters = 10;

    /// <summary>Up to this many governments in scope, the month's unit rows are read government by government; above it, in one range.</summary>
    public const int RangesPerMonth = 16;

    /// <summary>The month's row kinds, each keyed by government first: units, hot matters, handling.</summary>
    private static readonly string[] MonthKinds = ["u|", "t|", "h|"];

    public static async Task<AnalysisReport> ReadAsync(
        TableClient table, OrgDirectory org, YearMonth month, int window, Instant asOf, IReadOnlyCollection<string>? governments, string? unit,
        Func<string, bool> inScope, Func<Category?, string?, string?, bool> guarded, CancellationToken ct) =>
        (await ReadWithCostAsync(table, org, month, window, asOf, governments, unit, inScope, guarded, ct)).Report;

    public static async Task<AnalysisRead> ReadWithCostAsync(
        TableClient table, OrgDirectory org, YearMonth month, int window, Instant asOf, IReadOnlyCollection<string>? governments, string? unit,
        Func<string, bool> inScope, Func<Category?, string?, string?, bool> guarded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(inScope);
        ArgumentNullException.ThrowIfNull(guarded);
        // (partition, RowKey range, the month its rows are of: null for a government's time series, whose RowKey says it).
        var queries = new List<(string Partition, string From, string To, YearMonth? Month)>();
        void Range(YearMonth m, string prefix) => queries.Add((AnalysisCounters.Partition(m), prefix, prefix[..^1] + "}", m));
        void Series(string government) =>
            queries.Add((AnalysisCounters.GovernmentPartition(government), AnalysisCounters.Partition(month.PlusMonths(-(window + 11))) + "|", AnalysisCounters.Partition(month) + "|", null));
        if (unit is not null)
        {
            // One unit: its own rows, every month (a unit has a handful of rows a month), and its government's month ranges.
            var government = AnalysisCounters.GovernmentKey(org, unit);
            foreach (var m in Enumerable.Range(0, window + 12).Select(i => month.PlusMonths(-i)))
            {
                Range(m, $"u|{government}|{unit}|");
            }

            Range(month, $"t|{government}|");
            Range(month, $"h|{government}|{unit}|");
        }
        else
        {
            // The month: the ranges of the governments in scope, or the month's whole ranges when they are many (a
            // province: one long range beats a hundred short ones). The trend: each scope government's time series.
            var tops = governments ?? [.. org.Units.Where(u => u.Type == UnitType.Government && (u.Parent is null || org.GovernmentOf(u.Parent) is null)).Select(u => u.Id), AnalysisCounters.None];
            var under = governments?.SelectMany(g => GovernmentsUnder(org, g)).Distinct(StringComparer.Ordinal).ToList();
            foreach (var kind in MonthKinds)
            {
                if (under is null || under.Count > RangesPerMonth)
                {
                    Range(month, kind);
                }
                else
                {
                    foreach (var g in under)
                    {
                        Range(month, $"{kind}{g}|");
                    }
                }
            }

            foreach (var g in tops)
            {
                Series(g);
            }
        }

        var rows = new ConcurrentBag<(YearMonth Month, TableEntity Row)>();
        await Parallel.ForEachAsync(queries, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (q, token) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {q.Partition} and RowKey ge {q.From} and RowKey lt {q.To}");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: token))
            {
                if (q.Month is { } m)
                {
                    rows.Add((m, e));
                }
                else if (YearMonthPattern.Iso.Parse(e.RowKey[..Math.Min(7, e.RowKey.Length)]) is { Success: true } series)
                {
                    rows.Add((series.Value, e));
                }
            }
        });

        return new AnalysisRead(Report(org, month, window, asOf, rows, inScope, guarded), queries.Count, rows.Count);
    }

    /// <summary>
    /// The governments whose units' <c>u|</c> rows a viewer overseeing <paramref name="government"/> reads: it and every
    /// government below it (the nearest government of a unit under it is one of them).
    /// </summary>
    public static IEnumerable<string> GovernmentsUnder(OrgDirectory org, string government)
    {
        ArgumentNullException.ThrowIfNull(org);
        var stack = new Stack<string>([government]);
        while (stack.TryPop(out var id))
        {
            if (org.Unit(id)?.Type == UnitType.Government)
            {
                yield return id;
            }

            foreach (var c in org.Children(id))
            {
                stack.Push(c.Id);
            }
        }
    }

    private static AnalysisReport Report(
        OrgDirectory org, YearMonth month, int window, Instant asOf, IEnumerable<(YearMonth Month, TableEntity Row)> rows,
        Func<string, bool> inScope, Func<Category?, string?, string?, bool> guarded)
    {
        var units = new List<(YearMonth Month, string Unit, string Category, string Channel, long Received, long Repeats)>();
        var hot = new Dictionary<string, long>(StringComparer.Ordinal);
        var handling = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (m, e) in rows)
        {
            var k = e.RowKey.Split('|');
            switch (k[0])
            {
                case "u" when k.Length == 7 && inScope(k[2]) && !guarded(Parse(k[3]), Value(k[5]), Value(k[6])):
                    units.Add((m, k[2], k[3], k[4], e.GetInt64(AnalysisCounters.Received) ?? 0, e.GetInt64(AnalysisCounters.Repeats) ?? 0));
                    break;
                case not ("u" or "t" or "h") when k.Length == 5 && e.PartitionKey.StartsWith("g|", StringComparison.Ordinal) && m != month
                    && !guarded(Parse(k[1]), Value(k[3]), Value(k[4])):
                    units.Add((m, e.PartitionKey[2..], k[1], k[2], e.GetInt64(AnalysisCounters.Received) ?? 0, e.GetInt64(AnalysisCounters.Repeats) ?? 0));
                    break;
                case "t" when k.Length == 6 && inScope(k[3]) && !guarded(AccusedCategory(k[4], k[5]), Value(k[4]), Value(k[5])):
                    hot[k[2]] = hot.GetValueOrDefault(k[2]) + (e.GetInt64(AnalysisCounters.Petitions) ?? 0);
                    break;
                case "h" when k.Length == 5 && inScope(k[2]) && !guarded(AccusedCategory(k[3], k[4]), Value(k[3]), Value(k[4])):
                    var h = handling.TryGetValue(k[2], out var a) ? a : handling[k[2]] = new long[4];
                    h[0] += e.GetInt64(AnalysisCounters.Overdue) ?? 0;
                    h[1] += e.GetInt64(AnalysisCounters.Satisfied) ?? 0;
                    h[2] += e.GetInt64(AnalysisCounters.BasicallySatisfied) ?? 0;
                    h[3] += e.GetInt64(AnalysisCounters.Dissatisfied) ?? 0;
                    break;
            }
        }

        long ReceivedIn(YearMonth m) => units.Where(u => u.Month == m).Sum(u => u.Received);
        static double? Change(long now, long then) => then == 0 ? null : Math.Round((double)(now - then) / then, 4);
        var trend = Enumerable.Range(0, window).Select(i => month.PlusMonths(i - window + 1)).Select(m =>
        {
            var received = ReceivedIn(m);
            return new AnalysisMonth(AnalysisCounters.Partition(m), received, units.Where(u => u.Month == m).Sum(u => u.Repeats),
                Change(received, ReceivedIn(m.PlusMonths(-1))), Change(received, ReceivedIn(m.PlusMonths(-12))));
        }).ToList();
        var now = units.Where(u => u.Month == month).ToList();
        static List<AnalysisCount> Counts(IEnumerable<(string Key, string? Name, long N)> items) =>
            [.. items.GroupBy(i => i.Key, StringComparer.Ordinal).Select(g => new AnalysisCount(g.Key, g.First().Name, g.Sum(i => i.N)))
                .Where(c => c.Count != 0).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)];
        var byUnit = now.GroupBy(u => u.Unit, StringComparer.Ordinal)
            .Select(g => new AnalysisUnit(g.Key, org.Unit(g.Key)?.Name, org.Unit(g.Key)?.Region, g.Sum(u => u.Received), g.Sum(u => u.Repeats)))
            .Where(u => u.Received != 0 || u.Repeats != 0)
            .OrderByDescending(u => u.Received).ThenBy(u => u.UnitId, StringComparer.Ordinal).ToList();
        return new AnalysisReport(
            AnalysisCounters.Partition(month), asOf, now.Sum(u => u.Received), now.Sum(u => u.Repeats), trend,
            Counts(now.Select(u => (u.Category, (string?)null, u.Received))),
            Counts(now.Select(u => (u.Channel, (string?)null, u.Received))),
            byUnit,
            Counts(byUnit.Select(u => (u.Region ?? "-", (string?)null, u.Received))),
            [.. hot.Where(h => h.Value >= AnalysisCounters.HotAtLeast).OrderByDescending(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal)
                .Take(HotMatters).Select(h => new AnalysisMatter(MatterKey(h.Key), h.Value))],
            [.. handling.Select(h => new AnalysisHandling(h.Key, org.Unit(h.Key)?.Name, h.Value[0], h.Value[1], h.Value[2], h.Value[3],
                    h.Value[1] + h.Value[2] + h.Value[3] == 0 ? null : Math.Round((double)(h.Value[1] + h.Value[2]) / (h.Value[1] + h.Value[2] + h.Value[3]), 4)))
                .Where(h => h.Overdue + h.Satisfied + h.BasicallySatisfied + h.Dissatisfied != 0)
                .OrderByDescending(h => h.Overdue).ThenBy(h => h.UnitId, StringComparer.Ordinal)]);
    }

    /// <summary>A short, stable label of a matter fingerprint (the first 12 hex digits), as the repeat analysis shows it.</summary>
    public static string MatterKey(string matter) =>
        matter.StartsWith("pm:", StringComparison.Ordinal) ? "pm-" + Short(matter[3..]) : "m-" + Short(matter);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string? Value(string part) => part == AnalysisCounters.None ? null : part;

    private static Category? Parse(string part) => Enum.TryParse<Category>(part, out var c) ? c : null;

    /// <summary>Rows without a category carry accused ids only for an accusation (<see cref="AnalysisCounters"/>).</summary>
    private static Category? AccusedCategory(string unit, string person) =>
        unit != AnalysisCounters.None || person != AnalysisCounters.None ? Category.Accusation : null;

    /// <summary>The report's tables as CSV/XLSX rows: section, key, name, and the figures.</summary>
    public static IEnumerable<object?[]> Rows(AnalysisReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        foreach (var m in r.Trend)
        {
            yield return ["趋势", m.Month, null, m.Received, m.Repeats, Pct(m.MonthOverMonth), Pct(m.YearOverYear)];
        }

        foreach (var c in r.ByCategory)
        {
            yield return ["类别", c.Key, null, c.Count, null, null, null];
        }

        foreach (var c in r.ByChannel)
        {
            yield return ["渠道", c.Key, null, c.Count, null, null, null];
        }

        foreach (var c in r.ByArea)
        {
            yield return ["地区", c.Key, null, c.Count, null, null, null];
        }

        foreach (var u in r.ByUnit)
        {
            yield return ["单位", u.UnitId, u.UnitName, u.Received, u.Repeats, null, null];
        }

        foreach (var m in r.HotMatters)
        {
            yield return ["热点事项", m.MatterKey, null, m.Petitions, null, null, null];
        }

        foreach (var h in r.Handling)
        {
            yield return ["超期与满意度", h.UnitId, h.UnitName, h.Overdue, h.Satisfied + h.BasicallySatisfied, h.Dissatisfied, Pct(h.SatisfactionRate)];
        }
    }

    /// <summary>Column headers of <see cref="Rows"/>; the figure columns mean what each section says (docs/analysis.md).</summary>
    public static readonly string[] Headers = ["分组", "键", "名称", "件次/超期", "重复/满意", "环比/不满意", "同比/满意率"];

    private static string? Pct(double? v) => v is null ? null : (v.Value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
