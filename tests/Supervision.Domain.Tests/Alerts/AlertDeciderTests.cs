using NodaTime;
using Supervision.Domain.Alerts;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tests.Tickets;

namespace Supervision.Domain.Tests.Alerts;

/// <summary>The alert policy of DOMAIN.md §9: the morning digest, acknowledgement and the escalation ladder.</summary>
public sealed class AlertDeciderTests
{
    private static readonly OrgDirectory Org = OrgDirectory.Demo;
    private static readonly AlertPolicy Policy = AlertPolicy.Default;

    private static Instant Beijing(int y, int m, int d, int h, int min = 0) =>
        new LocalDateTime(y, m, d, h, min).InZoneLeniently(LegalCalendar.Zone).ToInstant();

    private static Alert Overdue(params AlertAudience[] to) =>
        new("deadline.overdue", "【超期】信访事项 XF-1 办理期限", "已超期", to, AlertUrgency.Urgent, "/app/case.html?id=XF-1", "XF-1");

    [Theory]
    [InlineData(2025, 9, 10, 8, 30, "2025-09-10")] // a Wednesday before nine: this morning
    [InlineData(2025, 9, 10, 9, 0, "2025-09-11")] // at nine: the next working morning
    [InlineData(2025, 9, 12, 18, 0, "2025-09-15")] // Friday evening: Monday
    [InlineData(2025, 9, 30, 20, 0, "2025-10-09")] // eve of the National Day holiday (1–8 October): the first working day after
    [InlineData(2025, 9, 27, 10, 0, "2025-09-28")] // Saturday before a make-up working Sunday (28 September)
    public void Routine_alerts_wait_for_nine_o_clock_on_the_next_working_day(int y, int m, int d, int h, int min, string expected)
    {
        var (date, at) = Policy.NextDigest(LegalCalendar.Default, Beijing(y, m, d, h, min));

        Assert.Equal(expected, date.ToString("uuuu-MM-dd", null));
        Assert.Equal(Beijing(date.Year, date.Month, date.Day, 9), at);
        Assert.True(LegalCalendar.Default.IsWorkingDay(date));
    }

    [Fact]
    public void The_ladder_goes_officer_to_head_to_the_leader_in_charge_to_the_conference_office_and_stops()
    {
        var officer = new AlertAudience("handling-officer", "c-housing");
        Assert.Equal([new AlertAudience("agency-head", "c-housing")], AlertLadder.Above(Org, [officer]));
        Assert.Equal([new AlertAudience("leader", "c-gov")], AlertLadder.Above(Org, [new AlertAudience("agency-head", "c-housing")]));
        Assert.Equal([new AlertAudience("leader", "c-gov")], AlertLadder.Above(Org, [new AlertAudience("supervisor", "c-bureau")]));
        Assert.Equal(
            [new AlertAudience("leader", "c-gov")],
            AlertLadder.Above(Org, [new AlertAudience("registrar", "c-bureau"), new AlertAudience("supervisor", "c-bureau")])); // the bureau's head was told already
        Assert.Equal([new AlertAudience("conference-staff", "c-conf")], AlertLadder.Above(Org, [new AlertAudience("leader", "c-gov")]));
        Assert.Empty(AlertLadder.Above(Org, [new AlertAudience("conference-staff", "c-conf")]));
        Assert.Empty(AlertLadder.Above(Org, [AlertAudience.Person("c-leader")]));
    }

    [Fact]
    public void An_unacknowledged_urgent_alert_climbs_one_level_per_period_until_the_top()
    {
        var decider = new AlertDecider(Org, Policy);
        var now = Beijing(2025, 9, 10, 10);
        var flow = new Flow<AlertState, AlertCommand, AlertEvent>(decider, "alert-case~XF-1~9~0");
        var published = flow.Run(new PublishAlert("case:XF-1", "case/XF-1/9/0", "case", "XF-1", Overdue(new AlertAudience("agency-head", "c-housing")), Watch: true), now);

        var delivered = Assert.IsType<RaiseAlert>(Assert.Single(published.Effects));
        Assert.Equal("case/XF-1/9/0", delivered.AlertId); // the source's id: receivers de-duplicate by it
        var timer = Assert.Single(decider.Timers(flow.State));
        Assert.Equal(now + Duration.FromHours(4), timer.DueAt);

        var first = flow.Fire(decider, timer);
        var up1 = Assert.IsType<RaiseAlert>(Assert.Single(first.Effects));
        Assert.Equal("case/XF-1/9/0/up1", up1.AlertId);
        Assert.Equal([new AlertAudience("leader", "c-gov")], up1.Alert.To);
        Assert.StartsWith("【未确认】", up1.Alert.Subject, StringComparison.Ordinal);
        Assert.Contains(Org.Unit("c-housing")!.Name + "负责人", up1.Alert.Body, StringComparison.Ordinal); // who was told first
        Assert.Null(up1.Alert.Deadline); // worded when it escalates; not re-worded from the deadline

        var second = flow.Fire(decider, Assert.Single(decider.Timers(flow.State)));
        Assert.Equal([new AlertAudience("conference-staff", "c-conf")], Assert.IsType<RaiseAlert>(Assert.Single(second.Effects)).Alert.To);
        Assert.Empty(decider.Timers(flow.State)); // the conference office is the top: nothing further to wait for
        Assert.Equal(2, flow.State.Level);
    }

    [Fact]
    public void An_acknowledgement_stops_the_escalation_and_a_late_timer_changes_nothing()
    {
        var decider = new AlertDecider(Org, Policy);
        var now = Beijing(2025, 9, 10, 10);
        var flow = new Flow<AlertState, AlertCommand, AlertEvent>(decider, "alert-x");
        flow.Run(new PublishAlert("case:XF-1", "case/XF-1/9/0", "case", "XF-1", Overdue(new AlertAudience("agency-head", "c-housing")), Watch: true), now);
        var timer = Assert.Single(decider.Timers(flow.State));

        var ack = flow.Run(new AcknowledgeAlert("c-housing-head"), now + Duration.FromHours(1));
        Assert.IsType<AlertAcknowledged>(Assert.Single(ack.Events));
        Assert.Empty(decider.Timers(flow.State));
        Assert.Empty(flow.Fire(decider, timer).Events); // the wake-up that was already scheduled is stale
        Assert.Empty(flow.Run(new AcknowledgeAlert("c-gov-head"), now + Duration.FromHours(2)).Events); // once is enough
        Assert.Equal("c-housing-head", flow.State.AcknowledgedBy);
    }

    [Fact]
    public void A_republished_alert_is_delivered_once_and_an_unknown_one_cannot_be_acknowledged()
    {
        var decider = new AlertDecider(Org, Policy);
        var now = Beijing(2025, 9, 10, 10);
        var flow = new Flow<AlertState, AlertCommand, AlertEvent>(decider, "alert-y");
        Assert.NotNull(flow.Run(new AcknowledgeAlert("c-housing-head"), now).Rejection);

        var publish = new PublishAlert("case:XF-1", "case/XF-1/9/0", "case", "XF-1", Overdue(new AlertAudience("agency-head", "c-housing")), Watch: false);
        Assert.Single(flow.Run(publish, now).Effects);
        Assert.Empty(flow.Run(publish, now).Events);
        Assert.Empty(decider.Timers(flow.State)); // not watched: no escalation
    }

    [Theory]
    [InlineData("case/XF-1/9/0", "case/XF-1/9/0")]
    [InlineData("case/XF-1/9/0/up2", "case/XF-1/9/0")]
    [InlineData("ticket/DB-XF-1-handling-1/3/1", "ticket/DB-XF-1-handling-1/3/1")]
    public void Every_delivery_of_an_alert_acknowledges_the_same_alert(string id, string root) =>
        Assert.Equal(root, AlertDecider.RootOf(id));
}
