using System.Globalization;
using NodaTime;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Cases;

/// <summary>
/// The <c>analysis</c> aggregates behind 分析研判 (issue 16 part 4; docs/analysis.md; decision A21): counters per month,
/// written by the case's own effects (<see cref="BumpCounters"/>, exactly once per event and partition), so a page reads a
/// few ranges and never scans cases. Month partitions <c>{yyyy-MM}</c> and government partitions <c>g|{id}</c>; counter rows:
/// <list type="bullet">
/// <item><c>u|{government}|{receiving unit}|{category}|{channel}|{accused unit}|{accused person}</c>: <c>received</c>
/// (registrations in the month they were received) and <c>repeats</c> (repeat petitions recorded on those cases, in their
/// month), keyed under the receiving unit's own government so a viewer reads only the ranges of the governments in
/// their scope (decision A22);</item>
/// <item>in partition <c>g|{government}</c>, rows <c>{yyyy-MM}|{category}|{channel}|{accused unit}|{accused person}</c>:
/// the same counters rolled up for every government above the receiving unit (its own, the city's, the province's), so
/// a viewer's whole trend is one range of one partition, not every unit of the province month by month (A22);</item>
/// <item><c>m|{government}|{matter fingerprint}|{receiving unit}|{accused unit}|{accused person}</c>: <c>petitions</c> on
/// the matter (registrations and repeats); mirrored under <c>t|…</c> while at least <see cref="HotAtLeast"/>, so the hot
/// matters are read from a few rows;</item>
/// <item><c>h|{government}|{answerable unit}|{accused unit}|{accused person}</c>: <c>overdue</c> (legal clocks that went
/// overdue in the month), and <c>satisfied</c> / <c>basicallySatisfied</c> / <c>dissatisfied</c> (ratings given in the month).</item>
/// <item>The government (of the unit's own level, <see cref="GovernmentKey"/>) leads the month rows' keys so a viewer
/// reads one range per government in their scope (A22).</item>
/// </list>
/// The accused unit/person (<c>-</c> when none or not an accusation) are in the key so the query applies the accusation
/// guard with today's directory and drops rows of accusations against the viewer. No personal data: the matter is a hash.
/// Deltas are a pure function of (before, event, after, the decision's instant).
/// </summary>
public static class AnalysisCounters
{
    public const string Model = "analysis";

    public const string Received = "received";
    public const string Repeats = "repeats";
    public const string Petitions = "petitions";
    public const string Overdue = "overdue";
    public const string Satisfied = "satisfied";
    public const string BasicallySatisfied = "basicallySatisfied";
    public const string Dissatisfied = "dissatisfied";

    /// <summary>A matter petitioned at least this often in a month is hot (mirrored under <c>t|</c>).</summary>
    public const long HotAtLeast = 2;

    public const string None = "-";

    public static string Partition(YearMonth month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string UnitRow(string government, string unit, Category? category, Channel channel, string? accusedUnit, string? accusedPerson) =>
        $"u|{government}|{unit}|{category?.ToString() ?? None}|{channel}|{accusedUnit ?? None}|{accusedPerson ?? None}";

    /// <summary>A government's roll-up partition: its whole time series, so a trend is one range of one partition.</summary>
    public static string GovernmentPartition(string government) => "g|" + government;

    public static string GovernmentRow(YearMonth month, Category? category, Channel channel, string? accusedUnit, string? accusedPerson) =>
        $"{Partition(month)}|{category?.ToString() ?? None}|{channel}|{accusedUnit ?? None}|{accusedPerson ?? None}";

    /// <summary>The government a unit's <c>u|</c> rows are kept under: its own level's, else <see cref="None"/>.</summary>
    public static string GovernmentKey(OrgDirectory org, string unit) => org.GovernmentOf(unit)?.Id ?? None;

    /// <summary>
    /// The governments a unit's petitions roll up to: every government on its chain, nearest first; <see cref="None"/>
    /// for a unit under no government, so an administrator's trend still counts it.
    /// </summary>
    public static IEnumerable<string> RollUps(OrgDirectory org, string unit)
    {
        ArgumentNullException.ThrowIfNull(org);
        var chain = org.Governments(unit).Select(g => g.Id).ToList();
        return chain.Count > 0 ? chain : [None];
    }

    public static string MatterRow(string government, string matter, string unit, string? accusedUnit, string? accusedPerson) =>
        $"m|{government}|{matter}|{unit}|{accusedUnit ?? None}|{accusedPerson ?? None}";

    public static string HandlingRow(string government, string unit, string? accusedUnit, string? accusedPerson) =>
        $"h|{government}|{unit}|{accusedUnit ?? None}|{accusedPerson ?? None}";

    public static string Marker(string caseId, long sequence) => $"x|{caseId}|{sequence.ToString("000000", CultureInfo.InvariantCulture)}";

    public static readonly CounterMirror Hot = new("m|", "t|", Petitions, HotAtLeast);

    /// <summary>The aggregate effects of one event: one <see cref="BumpCounters"/> per month partition it touches.</summary>
    public static IReadOnlyList<Effect> Effects(OrgDirectory org, CaseState before, CaseEvent e, CaseState after, long sequence, Instant now)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var deltas = new Dictionary<string, Dictionary<string, Dictionary<string, long>>>(StringComparer.Ordinal);
        void Add(LocalDate day, string row, string counter, long delta) => AddTo(Partition(day.ToYearMonth()), row, counter, delta);
        void AddTo(string p, string row, string counter, long delta)
        {
            if (!deltas.TryGetValue(p, out var rows))
            {
                deltas[p] = rows = new(StringComparer.Ordinal);
            }

            if (!rows.TryGetValue(row, out var counters))
            {
                rows[row] = counters = new(StringComparer.Ordinal);
            }

            counters[counter] = counters.GetValueOrDefault(counter) + delta;
        }

        // The petitions a case stands for under a state: its registration and every repeat recorded on it.
        void Petitioned(CaseState s, long sign)
        {
            if (s.ReceivedAt is not { } at || s.RegisteredBy is null)
            {
                return;
            }

            var (au, ap) = Guard(s);
            var matterRow = MatterRow(GovernmentKey(org, s.RegisteredBy), Matter(s), s.RegisteredBy, au, ap);
            var day = Calendar.LegalCalendar.LocalDateOf(at);
            CountReceipt(s, day, Received, sign);
            Add(day, matterRow, Petitions, sign);
            foreach (var r in s.Repeats)
            {
                var on = Calendar.LegalCalendar.LocalDateOf(r.ReceivedAt);
                CountReceipt(s, on, Repeats, sign);
                Add(on, matterRow, Petitions, sign);
            }
        }

        // A registration or repeat counts on the receiving unit's row and on the roll-up row of every government above it.
        void CountReceipt(CaseState s, LocalDate day, string counter, long sign)
        {
            var (au, ap) = Guard(s);
            Add(day, UnitRow(GovernmentKey(org, s.RegisteredBy!), s.RegisteredBy!, s.Category, s.Channel, au, ap), counter, sign);
            foreach (var government in RollUps(org, s.RegisteredBy!))
            {
                AddTo(GovernmentPartition(government), GovernmentRow(day.ToYearMonth(), s.Category, s.Channel, au, ap), counter, sign);
            }
        }

        var registered = before.ReceivedAt is not null;
        var guardMoved = registered && (before.Category != after.Category || before.AccusedUnitId != after.AccusedUnitId
            || before.AccusedPersonId != after.AccusedPersonId || before.RegisteredBy != after.RegisteredBy || before.Channel != after.Channel);
        if (!registered || guardMoved)
        {
            // A registration counts everything; a reclassification moves everything the case counted to its new keys.
            Petitioned(before, -1);
            Petitioned(after, +1);
        }
        else if (e is RepeatPetitionRefused or DuplicatePetitionNoted && after.Repeats.Count > before.Repeats.Count && after.RegisteredBy is not null)
        {
            var r = after.Repeats[^1];
            var (au, ap) = Guard(after);
            var on = Calendar.LegalCalendar.LocalDateOf(r.ReceivedAt);
            CountReceipt(after, on, Repeats, 1);
            Add(on, MatterRow(GovernmentKey(org, after.RegisteredBy), Matter(after), after.RegisteredBy, au, ap), Petitions, 1);
        }

        var today = Calendar.LegalCalendar.LocalDateOf(now);
        switch (e)
        {
            case ClockOverdue when Answerable(after) is { } unit:
                {
                    var (au, ap) = Guard(after);
                    Add(today, HandlingRow(GovernmentKey(org, unit), unit, au, ap), Overdue, 1);
                    break;
                }

            case HandlingRated r when RatedUnit(after, r.Stage) is { } unit:
                {
                    var (au, ap) = Guard(after);
                    var counter = r.Rating switch
                    {
                        Rating.Satisfied => Satisfied,
                        Rating.BasicallySatisfied => BasicallySatisfied,
                        _ => Dissatisfied,
                    };
                    Add(today, HandlingRow(GovernmentKey(org, unit), unit, au, ap), counter, 1);
                    break;
                }
        }

        var effects = new List<Effect>();
        foreach (var (partition, rows) in deltas.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var kept = rows.Select(r => (r.Key, Counters: r.Value.Where(c => c.Value != 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal)))
                .Where(r => r.Counters.Count > 0)
                .OrderBy(r => r.Key, StringComparer.Ordinal)
                .ToDictionary(r => r.Key, r => (IReadOnlyDictionary<string, long>)r.Counters, StringComparer.Ordinal);
            if (kept.Count > 0)
            {
                effects.Add(new BumpCounters(Model, partition, Marker(after.CaseId ?? before.CaseId ?? "-", sequence), kept, Hot));
            }
        }

        return effects;
    }

    /// <summary>The matter fingerprint (<see cref="CaseHashes.MatterFingerprint"/>), else the older petitioner + matter one.</summary>
    public static string Matter(CaseState s) => s.MatterFingerprint ?? "pm:" + s.Fingerprint;

    /// <summary>The unit answerable for the case now: the handling agency, else whoever must act, else the registering unit.</summary>
    public static string? Answerable(CaseState s) => s.HandlingUnitId ?? s.ResponsibleUnitId ?? s.RegisteredBy;

    /// <summary>Whose opinion a rating is about: the handling unit's reply, the review body's, the re-examination body's.</summary>
    public static string? RatedUnit(CaseState s, Stage stage) => stage switch
    {
        Stage.Review => s.ReviewBodyId ?? Answerable(s),
        Stage.ReExamination => s.ReExamBodyId ?? Answerable(s),
        _ => Answerable(s),
    };

    private static (string? Unit, string? Person) Guard(CaseState s) =>
        s.Category == Category.Accusation ? (s.AccusedUnitId, s.AccusedPersonId) : (null, null);
}
