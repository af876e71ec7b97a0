using NodaTime;
using Supervision.Domain.Alerts;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tests.Tickets;

namespace Supervision.Domain.Tests.Alerts;

public sealed class DigestDeciderTests
{
    private static readonly LocalDate Day = new(2025, 9, 11);

    private static Alert Routine(string caseId, params AlertAudience[] to) =>
        new("deadline.reminder", $"【提醒】信访事项 {caseId} 办理期限", $"信访事项 {caseId} 的办理期限过半。", to, AlertUrgency.Routine, $"/app/case.html?id={caseId}", caseId);

    [Fact]
    public void At_nine_each_person_gets_one_message_with_all_their_held_alerts()
    {
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        var evening = new LocalDateTime(2025, 9, 10, 20, 0).InZoneLeniently(LegalCalendar.Zone).ToInstant();
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/4/0", "case", "XF-1", Routine("XF-1", new AlertAudience("leader", "c-gov"), new AlertAudience("agency-head", "c-housing"))), evening);
        flow.Run(new HoldForDigest("case:XF-2", Day, "case/XF-2/4/0", "case", "XF-2", Routine("XF-2", new AlertAudience("leader", "c-party"))), evening);
        var redelivered = flow.Run(new HoldForDigest("case:XF-2", Day, "case/XF-2/4/0", "case", "XF-2", Routine("XF-2", new AlertAudience("leader", "c-party"))), evening);
        Assert.Empty(redelivered.Events);

        var timer = Assert.Single(decider.Timers(flow.State));
        Assert.Equal(AlertPolicy.Default.DigestAt(Day), timer.DueAt);
        var sent = flow.Fire(decider, timer);

        var messages = sent.Effects.Cast<RaiseAlert>().ToList();
        Assert.Equal(["digest/2025-09-11/c-leader", "digest/2025-09-11/c-housing-head"], messages.Select(m => m.AlertId));
        var leader = messages[0].Alert;
        Assert.Equal([AlertAudience.Person("c-leader")], leader.To);
        Assert.Contains("XF-1", leader.Body, StringComparison.Ordinal); // as leader of c-gov
        Assert.Contains("XF-2", leader.Body, StringComparison.Ordinal); // as leader of c-party: still one message
        Assert.Contains("共 2 条", leader.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("XF-2", messages[1].Alert.Body, StringComparison.Ordinal);
        Assert.Empty(decider.Timers(flow.State));
        Assert.Empty(flow.Fire(decider, timer).Events); // a repeated wake-up sends nothing twice
    }

    [Fact]
    public void An_alert_that_arrives_after_its_digest_went_out_is_delivered_on_its_own()
    {
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        var nine = AlertPolicy.Default.DigestAt(Day);
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/4/0", "case", "XF-1", Routine("XF-1", new AlertAudience("leader", "c-gov"))), nine - Duration.FromHours(1));
        flow.Fire(decider, Assert.Single(decider.Timers(flow.State)));

        var late = flow.Run(new HoldForDigest("case:XF-3", Day, "case/XF-3/4/0", "case", "XF-3", Routine("XF-3", new AlertAudience("leader", "c-gov"))), nine + Duration.FromSeconds(2));
        Assert.Equal("case/XF-3/4/0", Assert.IsType<RaiseAlert>(Assert.Single(late.Effects)).AlertId);
    }

    [Fact]
    public void A_digest_only_holds_alerts_for_its_own_day()
    {
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        var evening = new LocalDateTime(2025, 9, 10, 20, 0).InZoneLeniently(LegalCalendar.Zone).ToInstant();
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/4/0", "case", "XF-1", Routine("XF-1", new AlertAudience("leader", "c-gov"))), evening);

        Assert.NotNull(flow.Run(new HoldForDigest("case:XF-2", Day.PlusDays(1), "case/XF-2/4/0", "case", "XF-2", Routine("XF-2", new AlertAudience("leader", "c-gov"))), evening).Rejection);
    }
}
