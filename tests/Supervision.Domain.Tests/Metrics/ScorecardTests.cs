using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Metrics;
using Supervision.Domain.Policy;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Metrics;

/// <summary>
/// A hand-counted month (October 2025) for the formulas in docs/metrics.md. Units: the county bureau (ca-bureau),
/// housing (ca-housing), land (ca-land) and the county government reviewing (ca-gov).
/// </summary>
public sealed class ScorecardTests
{
    private const string Housing = "ca-housing";
    private const string Land = "ca-land";
    private const string Gov = "ca-gov";
    private static readonly YearMonth Oct = new(2025, 10);

    private readonly List<RecordedEvent> cases = [];
    private readonly List<RecordedEvent> tickets = [];

    private static LegalClock Clock(string name, string unit, string due, int generation = 1) =>
        new(name, generation, ClockKind.Obligation, LegalBasis.Law, name, "art", name, D(due).PlusDays(-15), At("2025-09-01"), 15, DayUnit.Natural, [], null,
            D(due), LegalCalendar.EndOf(D(due)), false, null, null, null, unit);

    private void Case(string id, string at, CaseEvent e) => cases.Add(new(id, cases.Count(x => x.InstanceId == id) + 1, At(at), e));

    private void Ticket(string id, string at, TicketEvent e) => tickets.Add(new(id, tickets.Count(x => x.InstanceId == id) + 1, At(at), e));

    private void Stop(string id, string name, string at, int generation = 1) => Case(id, at, new ClockStopped(name, generation, At(at), "done"));

    private IReadOnlyList<UnitMonthMetrics> Month()
    {
        // Case 1: the bureau routes in time; housing accepts in time and replies within its extended limit; rated 满意.
        Case("XF-1", "2025-09-24", new ClockStarted(Clock(ClockNames.Routing, Bureau, "2025-10-09")));
        Stop("XF-1", ClockNames.Routing, "2025-10-08");
        Case("XF-1", "2025-10-08", new ClockStarted(Clock(ClockNames.Acceptance, Housing, "2025-10-20")));
        Stop("XF-1", ClockNames.Acceptance, "2025-10-15");
        Case("XF-1", "2025-10-15", new ClockStarted(Clock(ClockNames.Handling, Housing, "2025-10-24")));
        Case("XF-1", "2025-10-20", new ClockRescheduled(Clock(ClockNames.Handling, Housing, "2025-10-31", 2), "extension approved"));
        Case("XF-1", "2025-10-28", new ReplyIssued(Outcome.Support, "o.pdf", D("2025-10-28"), Officer));
        Stop("XF-1", ClockNames.Handling, "2025-10-28", 2);
        Case("XF-1", "2025-10-29", new HandlingRated(Stage.Reply, Rating.Satisfied, null, PetitionerActor));

        // Case 2: land accepts late (yellow, then red); housing replies late in November (red in October); rated 不满意.
        Case("XF-2", "2025-09-25", new ClockStarted(Clock(ClockNames.Acceptance, Land, "2025-10-10")));
        Case("XF-2", "2025-10-03", new ClockWarningRaised(ClockNames.Acceptance, 1, D("2025-10-10")));
        Case("XF-2", "2025-10-11 00:00", new ClockOverdue(ClockNames.Acceptance, 1, D("2025-10-10")));
        Stop("XF-2", ClockNames.Acceptance, "2025-10-13");
        Case("XF-2", "2025-10-13", new ClockStarted(Clock(ClockNames.Handling, Housing, "2025-10-30")));
        Case("XF-2", "2025-10-31 00:00", new ClockOverdue(ClockNames.Handling, 1, D("2025-10-30")));
        Case("XF-2", "2025-11-03", new ReplyIssued(Outcome.Explain, "o2.pdf", D("2025-11-03"), Officer));
        Stop("XF-2", ClockNames.Handling, "2025-11-03");
        Case("XF-2", "2025-11-05", new HandlingRated(Stage.Reply, Rating.Dissatisfied, null, PetitionerActor));

        // Case 3: housing accepts late; its handling clock is not due by asOf (not counted).
        Case("XF-3", "2025-10-02", new ClockStarted(Clock(ClockNames.Acceptance, Housing, "2025-10-17")));
        Stop("XF-3", ClockNames.Acceptance, "2025-10-20");
        Case("XF-3", "2025-10-20", new ClockStarted(Clock(ClockNames.Handling, Housing, "2025-12-15")));

        // Case 4: land replied in September (never rated); the county government's review opinion in October, rated 基本满意.
        Case("XF-4", "2025-08-01", new ClockStarted(Clock(ClockNames.Handling, Land, "2025-09-30")));
        Case("XF-4", "2025-09-25", new ReplyIssued(Outcome.NotSupport, "o4.pdf", D("2025-09-25"), "ca-land-officer"));
        Stop("XF-4", ClockNames.Handling, "2025-09-25");
        Case("XF-4", "2025-09-30", new ClockStarted(Clock(ClockNames.Review, Gov, "2025-10-22")));
        Case("XF-4", "2025-10-21", new ReviewOpinionIssued(Outcome.NotSupport, "r4.pdf", D("2025-10-21"), "ca-gov-officer"));
        Stop("XF-4", ClockNames.Review, "2025-10-21");
        Case("XF-4", "2025-10-25", new HandlingRated(Stage.Review, Rating.BasicallySatisfied, null, PetitionerActor));

        // Tickets: T1 against housing (written in October, 约谈 and a late answer in November); T2 against land, answered in time.
        var clock = Clock("response", Housing, "2025-11-07");
        Ticket("T1", "2025-10-31 00:00", new TicketRaised("T1", "XF-2", Housing, Bureau, SupervisionGround.Overdue, SupervisionForm.Written, "", null, null, null, "handling", clock, "system"));
        Ticket("T1", "2025-11-08 00:00", new TicketEscalated(SupervisionForm.Written, SupervisionForm.Interview, clock with { Generation = 2 }, EscalationCause.Unanswered));
        Ticket("T1", "2025-11-20", new TicketResponded("r", [], At("2025-11-20"), true, Officer));
        Ticket("T2", "2025-10-11 00:00", new TicketRaised("T2", "XF-2", Land, Bureau, SupervisionGround.Overdue, SupervisionForm.Reminder, "", null, null, null, "acceptance", clock, "system"));
        Ticket("T2", "2025-10-14", new TicketResponded("r", [], At("2025-10-14"), false, "ca-land-officer"));

        return Scorecard.Compute(cases, tickets, At("2025-11-30"));
    }

    private static UnitMonthMetrics Of(IReadOnlyList<UnitMonthMetrics> all, string unit, YearMonth month) => Assert.Single(all, m => m.UnitId == unit && m.Month == month);

    [Fact]
    public void Housing_in_october_counted_by_hand()
    {
        var m = Of(Month(), Housing, Oct);
        Assert.Equal((2, 1), (m.AcceptanceDue, m.AcceptanceOnTime));      // XF-1 in time, XF-3 late
        Assert.Equal((2, 1), (m.CompletionDue, m.CompletionOnTime));      // XF-1 within its extension (10-31), XF-2 late (due 10-30)
        Assert.Equal((1, 1, 1), (m.OpinionsIssued, m.Rated, m.Satisfied)); // XF-1's reply; XF-2's reply counts in November
        Assert.Equal((0, 1), (m.YellowCases, m.RedCases));
        Assert.Equal((1, 0), (m.TicketsRaised, m.TicketsAnsweredLate));
        Assert.Equal(1, m.TicketsByForm[SupervisionForm.Written]);
        Assert.Equal(0.5, m.TimelyAcceptanceRate);
        Assert.Equal(0.5, m.OnTimeCompletionRate);
        Assert.Equal((1.0, 1.0), (m.ParticipationRate, m.SatisfactionRate));
        Assert.Equal(60.67, m.Score);                                     // 100 × (0.5 + 0.5 + 1) / 3 − 5 × 1 red − 1 × 1 ticket
        Assert.Equal((ListPlacement.Yellow, 2), (m.List, m.Rank));
    }

    [Fact]
    public void Land_the_bureau_and_the_reviewer_in_october()
    {
        var all = Month();
        var land = Of(all, Land, Oct);
        Assert.Equal((1, 0, 1, 1), (land.AcceptanceDue, land.AcceptanceOnTime, land.YellowCases, land.RedCases));
        Assert.Equal((1, 0, 1), (land.TicketsRaised, land.TicketsAnsweredLate, land.TicketsByForm[SupervisionForm.Reminder]));
        Assert.Null(land.OnTimeCompletionRate);
        Assert.Equal((-6.0, ListPlacement.Yellow, 1), (land.Score, land.List, land.Rank)); // 100 × 0 − 5 − 1: worst first

        var bureau = Of(all, Bureau, Oct);
        Assert.Equal((1.0, 100.0, ListPlacement.Red, 1), (bureau.TimelyAcceptanceRate!.Value, bureau.Score, bureau.List, bureau.Rank));

        var gov = Of(all, Gov, Oct);
        Assert.Equal((1, 1, 1, 1, 1), (gov.CompletionDue, gov.CompletionOnTime, gov.OpinionsIssued, gov.Rated, gov.BasicallySatisfied));
        Assert.Equal((1.0, ListPlacement.Red, 2), (gov.SatisfactionRate!.Value, gov.List, gov.Rank)); // tie at 100: by unit id
    }

    [Fact]
    public void Opinions_ratings_and_tickets_count_in_the_month_they_happened()
    {
        var all = Month();
        var nov = Of(all, Housing, new YearMonth(2025, 11));
        Assert.Equal((1, 1, 1, 0.0), (nov.OpinionsIssued, nov.Rated, nov.Dissatisfied, nov.SatisfactionRate!.Value));
        Assert.Equal((0, 1, 1), (nov.TicketsRaised, nov.TicketsByForm[SupervisionForm.Interview], nov.TicketsAnsweredLate));
        Assert.Equal(0, nov.CompletionDue); // XF-3's handling is not due by asOf

        var sep = Of(all, Land, new YearMonth(2025, 9));
        Assert.Equal((1, 1, 0, 0.0), (sep.CompletionDue, sep.OpinionsIssued, sep.Rated, sep.ParticipationRate!.Value));
        Assert.Null(sep.SatisfactionRate);
    }

    [Fact]
    public void Events_from_the_real_deciders_feed_the_scorecard()
    {
        // The canonical path: registered 09-10, routed 09-11, accepted 09-12, replied 10-20 — all in time.
        var events = Run(Replied);
        var recorded = events.Select((e, i) => new RecordedEvent(CaseId, i + 1, At("2025-10-20"), e)).ToList();
        var all = Scorecard.Compute(recorded, [], At("2025-11-30"));
        Assert.Equal(1.0, Of(all, Bureau, new YearMonth(2025, 9)).TimelyAcceptanceRate);
        Assert.Equal(1.0, Of(all, Agency, new YearMonth(2025, 9)).TimelyAcceptanceRate);
        Assert.Equal((1, 1), (Of(all, Agency, new YearMonth(2025, 11)).CompletionDue, Of(all, Agency, new YearMonth(2025, 11)).CompletionOnTime)); // handling due 11-11
    }
}
