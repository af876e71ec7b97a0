using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.JointAssignments.JointSpec;

namespace Supervision.Domain.Tests.JointAssignments;

/// <summary>Given/When/Then for joint assignment (联合交办, Art. 24).</summary>
public sealed class JointDeciderTests
{
    [Fact]
    public void A_proposal_asks_every_agency_within_three_working_days_and_lands_in_the_conference_inbox()
    {
        var f = New();
        var proposed = Assert.IsType<JointAssignmentProposed>(Assert.Single(f.Ok(Propose(), At("2025-09-10"))));
        Assert.Equal((D("2025-09-15"), Conference), (proposed.Window.DueDate, proposed.ConferenceOfficeId)); // Wed + 3 working days
        Assert.True(Audience(Assert.Single(f.Alerts)).SetEquals([("handling-officer", Agency), ("agency-head", Agency), ("handling-officer", Land), ("agency-head", Land)]));
        var row = Assert.Single(f.Effects.OfType<UpsertReadModel>());
        Assert.Equal((JointRow.Model, Conference, AssignmentId), (row.Model, row.PartitionKey, row.RowKey));
        Assert.Equal(("answer", $"{Agency};{Land}"), (row.Values[JointRow.PendingKind], row.Values[JointRow.PendingWith]));
        Assert.Equal(["answers:remind", "answers:due"], Joint.Timers(f.State).Select(t => t.Key));
    }

    [Fact]
    public void Sub_deadlines_fall_strictly_before_the_lead_s_and_only_the_bureau_registrar_proposes()
    {
        New().Refused(Propose(Arrangement(coDue: "2025-11-28")), At("2025-09-10"), RejectionKind.Validation);
        New().Refused(Propose(Arrangement(co: Agency)), At("2025-09-10"), RejectionKind.Validation);
        New().Refused(Propose(actor: Officer), At("2025-09-10"), RejectionKind.Forbidden);
    }

    [Fact]
    public void When_all_consent_the_conference_office_approves_and_the_case_receives_the_lead_clock_and_sub_clocks()
    {
        var f = Proposed();
        Assert.IsType<JointAssignmentConsented>(Assert.Single(f.Ok(new ConsentToJointAssignment(Officer, Agency), At("2025-09-11"))));
        f.Refused(new ConsentToJointAssignment(Officer, Land), At("2025-09-11"), RejectionKind.Forbidden); // not its agency
        var last = f.Ok(new ConsentToJointAssignment("ca-land-head", Land), At("2025-09-11"));
        Assert.IsType<JointAssignmentSubmitted>(last[1]);
        Assert.Equal(JointStatus.AwaitingApproval, f.State.Status);
        Assert.Contains(f.Alerts, a => a.Kind == "joint.submitted" && Audience(a).SetEquals([("conference-staff", Conference)]));

        f.Refused(new ApproveJointAssignment(Registrar), At("2025-09-12"), RejectionKind.Forbidden);
        f.Ok(new ApproveJointAssignment(ConfStaff, "同意"), At("2025-09-12"));
        var send = Assert.Single(f.Effects.OfType<SendMessage>());
        Assert.Equal((CaseDecider.Type, CaseId), (send.TargetType, send.TargetInstanceId));
        var apply = Assert.IsType<ApplyJointAssignment>(send.Command);
        Assert.Equal((Agency, D("2025-11-28"), Land), (apply.LeadAgencyId, apply.LeadDueDate, Assert.Single(apply.CoHandlers).UnitId));
        Assert.Empty(Joint.Timers(f.State));

        // The case accepts the message as sent.
        var c = new Flow<CaseState, CaseCommand, CaseEvent>(Decider, CaseId, Run(Registered));
        c.Ok(apply, At("2025-09-12"));
        Assert.Equal(D("2025-11-14"), c.State.Clock("cohandler:ca-land")!.DueDate);
    }

    [Fact]
    public void A_dispute_goes_to_the_common_superior_whose_leader_settles_it_for_approval()
    {
        var f = Disputed();
        var referred = Assert.IsType<JointDisputeReferred>(f.Last.Events[1]);
        Assert.Equal(("ca-gov", ResolverKind.CommonSuperior, ReferralCause.Dispute), (referred.ResolverUnitId, referred.Resolver, referred.Cause));
        Assert.Contains(("leader", "ca-gov"), Audience(Assert.Single(f.Alerts)));

        f.Refused(new ResolveDispute(ConfStaff, Arrangement(), "x"), At("2025-09-12"), RejectionKind.Forbidden);
        f.Ok(new ResolveDispute("ca-leader", Arrangement(lead: Land, co: Agency), "由自然资源局牵头"), At("2025-09-12"));
        Assert.Equal((JointStatus.AwaitingApproval, Land), (f.State.Status, f.State.Arrangement!.LeadAgencyId));
    }

    [Fact]
    public void A_settlement_or_amendment_without_an_arrangement_is_refused_as_invalid_not_thrown()
    {
        // JSON may leave the arrangement out; the decider refuses it (the edge decides early, the orchestration too).
        var f = Proposed();
        f.Ok(new DisputeJointAssignment("ca-land-officer", Land, "界址争议"), At("2025-09-11"));
        f.Refused(new ResolveDispute("ca-leader", null!, "x"), At("2025-09-12"), RejectionKind.Validation);
        f.Refused(new ResolveDispute("ca-leader", Arrangement() with { CoHandlers = null! }, "x"), At("2025-09-12"), RejectionKind.Validation);
        f.Refused(new AmendJointAssignment(ConfStaff, null!, "x"), At("2025-09-12"), RejectionKind.InvalidTransition);
    }

    [Fact]
    public void A_cross_county_dispute_goes_to_the_city_government()
    {
        var f = Proposed(Arrangement(co: "cb-housing"));
        f.Ok(new DisputeJointAssignment("cb-housing-officer", "cb-housing", "管辖争议"), At("2025-09-11"));
        Assert.Equal("c-gov", f.State.ResolverUnitId);
    }

    [Fact]
    public void Without_a_common_superior_the_conference_office_settles_and_its_settlement_is_the_approval()
    {
        // The provincial government has no body above it: it and its own department share no common superior.
        var f = Proposed(Arrangement(lead: "p-gov", co: "p-housing"), bureau: "p-bureau", actor: "p-registrar");
        f.Ok(new DisputeJointAssignment("p-housing-head", "p-housing", "应由政府办公厅牵头"), At("2025-09-11"));
        Assert.Equal(("p-conf", ResolverKind.ConferenceOffice), (f.State.ResolverUnitId, f.State.Resolver));

        f.Ok(new ResolveDispute("p-conf-staff", Arrangement(lead: "p-gov", co: "p-housing"), "维持原方案"), At("2025-09-12"));
        Assert.Equal(JointStatus.Approved, f.State.Status);
        Assert.Single(f.Messages<ApplyJointAssignment>());
    }

    [Fact]
    public void Silence_escalates_to_the_conference_office_after_a_reminder_to_those_who_have_not_answered()
    {
        var f = Proposed();
        f.Ok(new ConsentToJointAssignment(Officer, Agency), At("2025-09-11"));
        Assert.IsType<JointReminderSent>(Assert.Single(f.Fire("answers:remind").Events));
        Assert.True(Audience(Assert.Single(f.Alerts)).SetEquals([("handling-officer", Land), ("agency-head", Land)]));

        var referred = Assert.IsType<JointDisputeReferred>(Assert.Single(f.Fire("answers:due").Events));
        Assert.Equal((Conference, ReferralCause.NoAnswer, 2), (referred.ResolverUnitId, referred.Cause, referred.Window.Generation));
    }

    [Fact]
    public void A_superior_that_misses_its_deadline_hands_the_dispute_to_the_conference_office()
    {
        var f = Disputed();
        var events = f.Fire("dispute:due").Events;
        Assert.IsType<JointDecisionOverdue>(events[0]);
        Assert.Equal((Conference, ReferralCause.ResolverMissedDeadline), (((JointDisputeReferred)events[1]).ResolverUnitId, ((JointDisputeReferred)events[1]).Cause));
        Assert.Contains(f.Alerts, a => a.Urgency == AlertUrgency.Urgent && Audience(a).Contains(("leader", "ca-gov")));
    }

    [Fact]
    public void A_missed_approval_deadline_alerts_upward_once_and_a_stale_firing_yields_nothing()
    {
        var f = Agreed();
        var old = f.Timer("approval:due");
        Assert.IsType<JointDecisionOverdue>(Assert.Single(f.Fire("approval:due").Events));
        Assert.Contains(("leader", "ca-gov"), Audience(Assert.Single(f.Alerts)));
        Assert.Empty(Joint.Timers(f.State));
        Assert.Empty(f.Do(new JointTimerElapsed(Actors.System, old.Key, old.Generation), old.DueAt).Events);
        Assert.Empty(f.Do(new JointTimerElapsed(Actors.System, "answers:due", 1), old.DueAt).Events); // an older window
        f.Ok(new ApproveJointAssignment(ConfStaff), old.DueAt); // the office can still decide late
    }

    [Fact]
    public void The_conference_office_amends_or_rejects()
    {
        var amended = Agreed();
        amended.Ok(new AmendJointAssignment(ConfStaff, Arrangement(leadDue: "2025-12-15"), "延长牵头期限"), At("2025-09-12"));
        Assert.Equal(D("2025-12-15"), Assert.Single(amended.Messages<ApplyJointAssignment>()).LeadDueDate);

        var rejected = Agreed();
        rejected.Ok(new RejectJointAssignment(ConfStaff, "应单独转送"), At("2025-09-12"));
        Assert.Equal(JointStatus.Rejected, rejected.State.Status);
        Assert.Empty(rejected.Messages<ApplyJointAssignment>());
        Assert.Contains(rejected.Alerts, a => Audience(a).SetEquals([("registrar", Bureau)]));
    }

    [Fact]
    public void An_accusation_never_involves_the_accused_unit_and_an_accused_superior_never_settles_it()
    {
        var r = New().Refused(Propose(category: Category.Accusation, accusedUnit: Land), At("2025-09-10"), RejectionKind.Forbidden);
        Assert.Contains("accused", r.Reason, StringComparison.Ordinal);

        var f = New();
        f.Ok(Propose(category: Category.Accusation, accusedUnit: "ca-gov"), At("2025-09-10"));
        f.Ok(new DisputeJointAssignment("ca-land-officer", Land, "争议"), At("2025-09-11"));
        Assert.Equal(Conference, f.State.ResolverUnitId); // the common superior is the accused
        Assert.All(f.Alerts, a => Assert.DoesNotContain(a.To, x => x.UnitId == "ca-gov"));
    }
}
