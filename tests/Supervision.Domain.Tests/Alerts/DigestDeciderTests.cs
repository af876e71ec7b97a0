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

        var messages = sent.Effects.Cast<RaiseAlert>().Where(m => m.Alert.Kind == "digest.daily").ToList();
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

    [Fact]
    public void At_nine_each_held_alert_is_filed_under_its_own_id_to_its_own_audiences_with_its_case_id()
    {
        // Issue 15.5: a complaint forwarded to ca-land (which is the accused unit of another case); its reminder and
        // warning are held overnight. At 09:00 the mailbox must get a row per alert, not only the people's digests.
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        var evening = new LocalDateTime(2025, 9, 10, 20, 0).InZoneLeniently(LegalCalendar.Zone).ToInstant();
        var reminder = Routine("XF-1", new AlertAudience("handling-officer", "ca-land"));
        var warning = Routine("XF-1", new AlertAudience("handling-officer", "ca-land"), new AlertAudience("agency-head", "ca-land")) with { Kind = "deadline.warning" };
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/4/0", "case", "XF-1", reminder), evening);
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/5/0", "case", "XF-1", warning), evening);

        var sent = flow.Fire(decider, Assert.Single(decider.Timers(flow.State)));
        var alerts = sent.Effects.Cast<RaiseAlert>().ToList();
        var filed = alerts.Where(a => a.Alert.Kind != "digest.daily").ToList();
        Assert.Equal(["case/XF-1/4/0", "case/XF-1/5/0"], filed.Select(a => a.AlertId));
        Assert.Equal(reminder with { Digested = true }, filed[0].Alert);
        Assert.Equal(warning with { Digested = true }, filed[1].Alert);
        Assert.All(filed, a => Assert.Equal("XF-1", a.Alert.CaseId));

        // The people's digests still go out, one each, and are not themselves marked as filed by a digest.
        var digests = alerts.Where(a => a.Alert.Kind == "digest.daily").ToList();
        Assert.Equal(["digest/2025-09-11/ca-land-officer", "digest/2025-09-11/ca-land-head"], digests.Select(d => d.AlertId));
        Assert.All(digests, d => Assert.False(d.Alert.Digested));
        Assert.Contains("共 2 条", digests[0].Alert.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alert_held_for_an_audience_nobody_holds_is_still_filed()
    {
        // Like an alert delivered in-line: its mailbox row exists for whoever takes that role later; no digest names it.
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        flow.Run(new HoldForDigest("case:XF-9", Day, "case/XF-9/4/0", "case", "XF-9", Routine("XF-9", new AlertAudience("registrar", "ca-land"))), AlertPolicy.Default.DigestAt(Day) - Duration.FromHours(3));

        var sent = flow.Fire(decider, Assert.Single(decider.Timers(flow.State)));
        var only = Assert.IsType<RaiseAlert>(Assert.Single(sent.Effects));
        Assert.Equal("case/XF-9/4/0", only.AlertId);
        Assert.True(only.Alert.Digested);
    }

    [Fact]
    public void An_alert_sent_late_on_its_own_is_not_marked_as_carried_by_a_digest()
    {
        var decider = new DigestDecider(OrgDirectory.Demo, AlertPolicy.Default);
        var flow = new Flow<DigestState, DigestCommand, DigestEvent>(decider, AlertPolicy.DigestInstanceId(Day));
        var nine = AlertPolicy.Default.DigestAt(Day);
        flow.Run(new HoldForDigest("case:XF-1", Day, "case/XF-1/4/0", "case", "XF-1", Routine("XF-1", new AlertAudience("leader", "c-gov"))), nine - Duration.FromHours(1));
        flow.Fire(decider, Assert.Single(decider.Timers(flow.State)));

        var late = flow.Run(new HoldForDigest("case:XF-3", Day, "case/XF-3/4/0", "case", "XF-3", Routine("XF-3", new AlertAudience("leader", "c-gov"))), nine + Duration.FromSeconds(2));
        Assert.False(Assert.IsType<RaiseAlert>(Assert.Single(late.Effects)).Alert.Digested);
    }

    [Fact]
    public void A_filed_alert_keeps_its_flag_through_json_and_other_alerts_serialize_as_before()
    {
        var plain = Routine("XF-1", new AlertAudience("handling-officer", "ca-land"));
        var json = System.Text.Json.JsonSerializer.Serialize(plain, AlertJson.Options);
        Assert.DoesNotContain("digested", json, StringComparison.OrdinalIgnoreCase);
        Assert.False(System.Text.Json.JsonSerializer.Deserialize<Alert>(json, AlertJson.Options)!.Digested);

        var filed = System.Text.Json.JsonSerializer.Serialize(plain with { Digested = true }, AlertJson.Options);
        Assert.True(System.Text.Json.JsonSerializer.Deserialize<Alert>(filed, AlertJson.Options)!.Digested);
    }
}
