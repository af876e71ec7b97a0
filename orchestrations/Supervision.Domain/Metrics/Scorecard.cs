using System.Collections.Immutable;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.Metrics;

/// <summary>One stored event: its instance, its 1-based sequence there, the decision instant stored with it, and the event.</summary>
public sealed record RecordedEvent(string InstanceId, long Sequence, Instant At, object Event);

/// <summary>Weights and thresholds of the red/yellow list (红黄榜) — policy, not law (DOMAIN.md §6).</summary>
public sealed record ScorecardPolicy(
    double RedListMinScore = 90,
    double YellowListBelowScore = 80,
    double RedCasePenalty = 5,
    double LateTicketPenalty = 2,
    double TicketPenalty = 1)
{
    public static ScorecardPolicy Default { get; } = new();
}

/// <summary>Placement on the scorecard: 红榜 (commended), 黄榜 (named for improvement), or neither.</summary>
public enum ListPlacement
{
    None,
    Red,
    Yellow,
}

/// <summary>One unit's month. Rates are null when their denominator is zero. Formulas: docs/metrics.md.</summary>
public sealed record UnitMonthMetrics(string UnitId, YearMonth Month)
{
    public int AcceptanceDue { get; init; }

    public int AcceptanceOnTime { get; init; }

    public int CompletionDue { get; init; }

    public int CompletionOnTime { get; init; }

    public int OpinionsIssued { get; init; }

    public int Rated { get; init; }

    public int Satisfied { get; init; }

    public int BasicallySatisfied { get; init; }

    public int Dissatisfied { get; init; }

    public int YellowCases { get; init; }

    public int RedCases { get; init; }

    public int TicketsRaised { get; init; }

    public ImmutableSortedDictionary<SupervisionForm, int> TicketsByForm { get; init; } = ImmutableSortedDictionary<SupervisionForm, int>.Empty;

    public int TicketsAnsweredLate { get; init; }

    /// <summary>及时受理率.</summary>
    public double? TimelyAcceptanceRate => Rate(AcceptanceOnTime, AcceptanceDue);

    /// <summary>按期办结率.</summary>
    public double? OnTimeCompletionRate => Rate(CompletionOnTime, CompletionDue);

    /// <summary>参评率.</summary>
    public double? ParticipationRate => Rate(Rated, OpinionsIssued);

    /// <summary>满意率 (满意 + 基本满意).</summary>
    public double? SatisfactionRate => Rate(Satisfied + BasicallySatisfied, Rated);

    public double Score { get; init; }

    public ListPlacement List { get; init; }

    /// <summary>1-based rank within its list (red: best first; yellow: worst first); 0 when on neither.</summary>
    public int Rank { get; init; }

    private static double? Rate(int numerator, int denominator) => denominator == 0 ? null : (double)numerator / denominator;
}

/// <summary>
/// The scorecard (红黄榜) and handling metrics per unit and month, computed from recorded case and ticket events.
/// Pure: the same events and <c>asOf</c> always give the same numbers. Every formula is in docs/metrics.md.
/// </summary>
public static class Scorecard
{
    private static readonly string[] AcceptanceClocks = [ClockNames.Routing, ClockNames.Acceptance];
    private static readonly string[] CompletionClocks = [ClockNames.Handling, ClockNames.Review, ClockNames.ReExam];

    /// <param name="asOf">The computation instant: a running duty not yet due at <paramref name="asOf"/> has no outcome yet and is not counted.</param>
    public static IReadOnlyList<UnitMonthMetrics> Compute(
        IEnumerable<RecordedEvent> caseEvents, IEnumerable<RecordedEvent> ticketEvents, Instant asOf, ScorecardPolicy? policy = null)
    {
        policy ??= ScorecardPolicy.Default;
        var acc = new Dictionary<(string, YearMonth), Acc>();
        Acc At(string unit, Instant when) => At2(unit, LegalCalendar.LocalDateOf(when).ToYearMonth());
        Acc At2(string unit, YearMonth month) => acc.TryGetValue((unit, month), out var a) ? a : acc[(unit, month)] = new Acc();

        foreach (var stream in caseEvents.GroupBy(e => e.InstanceId))
        {
            Cases(stream.OrderBy(e => e.Sequence).ToList(), asOf, At, At2);
        }

        foreach (var stream in ticketEvents.GroupBy(e => e.InstanceId))
        {
            string? agency = null;
            foreach (var r in stream.OrderBy(e => e.Sequence))
            {
                switch (r.Event)
                {
                    case TicketRaised t:
                        agency = t.AgencyId;
                        At(agency, r.At).Raised++;
                        At(agency, r.At).Form(t.Form);
                        break;
                    case TicketEscalated x when agency is not null && x.To > x.From:
                        At(agency, r.At).Form(x.To);
                        break;
                    case TicketResponded { Late: true } when agency is not null:
                        At(agency, r.At).Late++;
                        break;
                }
            }
        }

        var rows = acc.Select(kv => kv.Value.ToMetrics(kv.Key.Item1, kv.Key.Item2, policy)).ToList();
        return [.. rows.GroupBy(m => m.Month).SelectMany(Rank).OrderBy(m => m.Month).ThenBy(m => m.UnitId, StringComparer.Ordinal)];
    }

    private static void Cases(List<RecordedEvent> stream, Instant asOf, Func<string, Instant, Acc> at, Func<string, YearMonth, Acc> inMonth)
    {
        // Duties by clock name (the latest start), with their latest due instant and stop.
        var duties = new List<Duty>();
        var current = new Dictionary<string, Duty>(StringComparer.Ordinal);
        var opinions = new List<(Stage Stage, string Unit, Instant At)>();
        var ratings = new Dictionary<Stage, Rating>();
        var lit = new HashSet<(string Unit, YearMonth Month, bool Red)>();
        foreach (var r in stream)
        {
            switch (r.Event)
            {
                case ClockStarted s:
                    current[s.Clock.Name] = new Duty(s.Clock.Name, s.Clock.ResponsibleUnitId, s.Clock.DueInstant);
                    duties.Add(current[s.Clock.Name]);
                    break;
                case ClockRescheduled s when current.TryGetValue(s.Clock.Name, out var d):
                    d.Due = s.Clock.DueInstant;
                    break;
                case ClockStopped s when current.TryGetValue(s.Name, out var d):
                    d.Stopped ??= s.At;
                    break;
                case ClockWarningRaised or ClockCriticalRaised or ClockOverdue:
                    var name = r.Event switch { ClockWarningRaised w => w.Name, ClockCriticalRaised c => c.Name, _ => ((ClockOverdue)r.Event).Name };
                    if (current.TryGetValue(name, out var lightDuty))
                    {
                        lit.Add((lightDuty.Unit, LegalCalendar.LocalDateOf(r.At).ToYearMonth(), r.Event is ClockOverdue));
                    }

                    break;
                case ReplyIssued:
                    Opinion(Stage.Reply, ClockNames.Handling, r.At);
                    break;
                case ReviewOpinionIssued:
                    Opinion(Stage.Review, ClockNames.Review, r.At);
                    break;
                case ReExaminationOpinionIssued:
                    Opinion(Stage.ReExamination, ClockNames.ReExam, r.At);
                    break;
                case HandlingRated h:
                    ratings.TryAdd(h.Stage, h.Rating);
                    break;
            }
        }

        void Opinion(Stage stage, string clock, Instant when)
        {
            if (current.TryGetValue(clock, out var d))
            {
                opinions.Add((stage, d.Unit, when));
            }
        }

        foreach (var d in duties)
        {
            var acceptance = AcceptanceClocks.Contains(d.Name);
            if (!acceptance && !CompletionClocks.Contains(d.Name))
            {
                continue;
            }

            if (d.Stopped is null && d.Due > asOf)
            {
                continue; // no outcome yet
            }

            var a = at(d.Unit, d.Due - Duration.FromTicks(1)); // the due instant is 24:00 of the due date: count it in the due date's month
            var onTime = d.Stopped is { } stop && stop <= d.Due;
            if (acceptance)
            {
                a.AcceptanceDue++;
                a.AcceptanceOnTime += onTime ? 1 : 0;
            }
            else
            {
                a.CompletionDue++;
                a.CompletionOnTime += onTime ? 1 : 0;
            }
        }

        foreach (var (stage, unit, when) in opinions)
        {
            var a = at(unit, when);
            a.Opinions++;
            if (ratings.TryGetValue(stage, out var rating))
            {
                a.Rated++;
                a.Ratings[(int)rating]++;
            }
        }

        foreach (var (unit, month, red) in lit)
        {
            var a = inMonth(unit, month);
            if (red)
            {
                a.Red++;
            }
            else
            {
                a.Yellow++;
            }
        }
    }

    /// <summary>红榜: score at least the minimum, no red case, no ticket; 黄榜: any red case or a score below the bar.</summary>
    private static IEnumerable<UnitMonthMetrics> Rank(IEnumerable<UnitMonthMetrics> month)
    {
        var all = month.ToList();
        var red = all.Where(m => m.List == ListPlacement.Red).OrderByDescending(m => m.Score).ThenBy(m => m.UnitId, StringComparer.Ordinal).Select((m, i) => m with { Rank = i + 1 });
        var yellow = all.Where(m => m.List == ListPlacement.Yellow).OrderBy(m => m.Score).ThenBy(m => m.UnitId, StringComparer.Ordinal).Select((m, i) => m with { Rank = i + 1 });
        return [.. red, .. yellow, .. all.Where(m => m.List == ListPlacement.None)];
    }

    private sealed class Duty(string name, string unit, Instant due)
    {
        public string Name { get; } = name;

        public string Unit { get; } = unit;

        public Instant Due { get; set; } = due;

        public Instant? Stopped { get; set; }
    }

    private sealed class Acc
    {
        public int AcceptanceDue { get; set; }

        public int AcceptanceOnTime { get; set; }

        public int CompletionDue { get; set; }

        public int CompletionOnTime { get; set; }

        public int Opinions { get; set; }

        public int Rated { get; set; }

        public int[] Ratings { get; } = new int[3];

        public int Yellow { get; set; }

        public int Red { get; set; }

        public int Raised { get; set; }

        public int Late { get; set; }

        public SortedDictionary<SupervisionForm, int> Forms { get; } = [];

        public void Form(SupervisionForm f) => Forms[f] = Forms.GetValueOrDefault(f) + 1;

        public UnitMonthMetrics ToMetrics(string unit, YearMonth month, ScorecardPolicy p)
        {
            var m = new UnitMonthMetrics(unit, month)
            {
                AcceptanceDue = AcceptanceDue,
                AcceptanceOnTime = AcceptanceOnTime,
                CompletionDue = CompletionDue,
                CompletionOnTime = CompletionOnTime,
                OpinionsIssued = Opinions,
                Rated = Rated,
                Satisfied = Ratings[(int)Rating.Satisfied],
                BasicallySatisfied = Ratings[(int)Rating.BasicallySatisfied],
                Dissatisfied = Ratings[(int)Rating.Dissatisfied],
                YellowCases = Yellow,
                RedCases = Red,
                TicketsRaised = Raised,
                TicketsByForm = Forms.ToImmutableSortedDictionary(),
                TicketsAnsweredLate = Late,
            };
            double?[] rates = [m.TimelyAcceptanceRate, m.OnTimeCompletionRate, m.SatisfactionRate];
            var defined = rates.OfType<double>().ToList();
            var baseScore = defined.Count == 0 ? 100 : 100 * defined.Average();
            var score = Math.Round(baseScore - (p.RedCasePenalty * Red) - (p.LateTicketPenalty * Late) - (p.TicketPenalty * Raised), 2);
            var list = Red > 0 || score < p.YellowListBelowScore ? ListPlacement.Yellow
                : score >= p.RedListMinScore && Raised == 0 ? ListPlacement.Red
                : ListPlacement.None;
            return m with { Score = score, List = list };
        }
    }
}
