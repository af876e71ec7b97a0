using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Backlog;

/// <summary>Given/When/Then for a backlog (积案) 化解 campaign (decision B1).</summary>
public sealed class CampaignDeciderTests
{
    private const string Id = "ZX-TEST";
    private const string Supervisor = "c-supervisor";
    private const string Leader = "c-leader";
    private const string Head = "c-housing-head";
    private const string Housing = "c-housing";
    private const string Why = "终结后重复信访 1 次（《信访工作条例》第三十六条）";

    private static Flow<CampaignState, CampaignCommand, CampaignEvent> Running()
    {
        var f = new Flow<CampaignState, CampaignCommand, CampaignEvent>(CampaignDecider.Demo, Id);
        f.Ok(new StartCampaign(Supervisor, Id, "2025年第四季度积案化解", "c-bureau", Leader, D("2025-12-31")), At("2025-09-10"));
        return f;
    }

    [Fact]
    public void A_supervisor_starts_a_campaign_with_a_leader_of_the_level_and_a_timer_at_the_end_of_the_target_date()
    {
        var f = Running();
        Assert.Equal((CampaignStatus.Running, Leader, D("2025-12-31")), (f.State.Status, f.State.LeaderId, f.State.TargetDate));
        var timer = Assert.Single(CampaignDecider.Demo.Timers(f.State));
        Assert.Equal(At("2026-01-01 00:00"), timer.DueAt);
        var row = Assert.Single(f.Effects.OfType<UpsertReadModel>());
        Assert.Equal((CampaignRow.Model, "c-bureau", Id, 0), (row.Model, row.PartitionKey, row.RowKey, (int)row.Values[CampaignRow.Total]!));

        var other = new Flow<CampaignState, CampaignCommand, CampaignEvent>(CampaignDecider.Demo, Id);
        other.Refused(new StartCampaign(Head, Id, "x", "c-bureau", Leader, D("2025-12-31")), At("2025-09-10"), RejectionKind.Forbidden);
        other.Refused(new StartCampaign(Supervisor, Id, "x", "c-bureau", Head, D("2025-12-31")), At("2025-09-10"), RejectionKind.Validation); // not a leader
        other.Refused(new StartCampaign(Supervisor, Id, "x", "c-bureau", Leader, D("2025-09-01")), At("2025-09-10"), RejectionKind.Validation); // in the past
    }

    [Fact]
    public void Only_backlog_cases_are_added_each_owned_by_a_leader_and_the_unit_head_and_leader_are_told()
    {
        var f = Running();
        f.Refused(new AddBacklogCase(Supervisor, "XF-1", Leader, Housing), At("2025-09-11"), RejectionKind.Validation); // no reason: not backlog
        f.Ok(new AddBacklogCase(Supervisor, "XF-1", Leader, Housing, Why), At("2025-09-11"));
        Assert.Equal((Leader, Housing, Why, BacklogResult.Pending), (f.State.Entries["XF-1"].LeaderId, f.State.Entries["XF-1"].UnitId, f.State.Entries["XF-1"].Why, f.State.Entries["XF-1"].Result));
        var alerts = f.Effects.OfType<RaiseAlert>().Select(a => a.Alert).ToList();
        Assert.Contains(alerts, a => a.To.Contains(new AlertAudience("agency-head", Housing)));
        Assert.Contains(alerts, a => a.To.Contains(AlertAudience.Person(Leader)));

        // The same again changes nothing; another leader for the same case is refused with who has it.
        var again = f.Do(new AddBacklogCase(Supervisor, "XF-1", Leader, Housing, Why), At("2025-09-11"));
        Assert.True(again.Events.Count == 0 && again.Rejection is null);
        Assert.Contains(Leader, f.Refused(new AddBacklogCase(Supervisor, "XF-1", "ca-leader", Housing, Why), At("2025-09-11"), RejectionKind.Validation).Reason);
    }

    [Fact]
    public void The_accused_unit_is_never_responsible_for_an_accusation_against_it()
    {
        var f = Running();
        var refused = f.Refused(new AddBacklogCase(Supervisor, "XF-2", Leader, Housing, Why, Category.Accusation, AccusedUnitId: Housing), At("2025-09-11"), RejectionKind.Forbidden);
        Assert.StartsWith("accusation guard", refused.Reason);
        Assert.Empty(f.State.Entries);
    }

    [Fact]
    public void Results_count_towards_the_resolution_rate_and_unresolved_needs_a_reason_and_the_target_date_tells_the_leader_what_is_left()
    {
        var f = Running();
        f.Ok(new AddBacklogCase(Supervisor, "XF-1", Leader, Housing, Why), At("2025-09-11"));
        f.Ok(new AddBacklogCase(Supervisor, "XF-2", Leader, Housing, Why), At("2025-09-11"));
        f.Refused(new RecordBacklogResult("c-housing-officer", "XF-1", true), At("2025-10-01"), RejectionKind.Forbidden);
        f.Refused(new RecordBacklogResult(Head, "XF-2", false), At("2025-10-01"), RejectionKind.Validation);
        f.Ok(new RecordBacklogResult(Head, "XF-1", true, "已签订息访协议"), At("2025-10-01"));
        f.Ok(new RecordBacklogResult(Leader, "XF-2", false, "诉求超出政策范围"), At("2025-10-02"));
        Assert.Equal((1, 0.5), (f.State.Resolved, f.State.ResolutionRate));
        var row = f.Effects.OfType<UpsertReadModel>().Last();
        Assert.Equal((2, 1, 1, 0.5), ((int)row.Values[CampaignRow.Total]!, (int)row.Values[CampaignRow.Resolved]!, (int)row.Values[CampaignRow.Unresolved]!, (double)row.Values[CampaignRow.Rate]!));

        var passed = Assert.IsType<CampaignTargetPassed>(Assert.Single(f.Ok(CampaignDecider.Demo.OnTimer(new TimerFired(CampaignDecider.TargetTimer, 1, At("2026-01-01 00:00"))), At("2026-01-01 00:00"))));
        Assert.Equal(1, passed.NotResolved);
        Assert.Contains(f.Effects.OfType<RaiseAlert>(), a => a.Alert.Urgency == AlertUrgency.Urgent && a.Alert.To.Contains(AlertAudience.Person(Leader)));
        Assert.Empty(CampaignDecider.Demo.Timers(f.State));

        f.Ok(new CloseCampaign(Leader, "第四季度专项工作结束"), At("2026-01-05"));
        Assert.Equal(CampaignStatus.Closed, f.State.Status);
        f.Refused(new RecordBacklogResult(Leader, "XF-2", true), At("2026-01-06"), RejectionKind.InvalidTransition);
    }

    [Fact]
    public void A_final_case_petitioned_again_is_backlog_and_an_open_case_within_its_limits_is_not()
    {
        var policy = BacklogPolicy.Default;
        Assert.Equal(1, policy.Version);
        var final = new CaseState { Status = CaseStatus.Final, Repeats = [new RepeatPetition(At("2025-09-10"), "c-bureau", Refused: true)] };
        Assert.Equal(Why, policy.WhyBacklog(final, At("2025-09-11")));
        Assert.Null(policy.WhyBacklog(final with { Repeats = [] }, At("2025-09-11")));
        Assert.Null(policy.WhyBacklog(new CaseState { Status = CaseStatus.Accepted }, At("2025-09-11")));
    }
}
