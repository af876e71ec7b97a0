using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>The case side of supervision: a red clock raises a ticket; conference and joint decisions arrive as commands.</summary>
public sealed class CaseSupervisionTests
{
    private static Tickets.Flow<CaseState, CaseCommand, CaseEvent> Case((CaseCommand, string)[] steps) =>
        new(Decider, CaseId, Run(steps));

    [Fact]
    public void A_red_handling_clock_sends_a_written_ticket_against_the_handling_agency_with_a_deterministic_id()
    {
        var f = Case(Accepted);
        Assert.IsType<ClockOverdue>(Assert.Single(f.Fire("handling:due").Events));

        var send = Assert.Single(f.Effects.OfType<SendMessage>());
        var raise = Assert.IsType<RaiseTicket>(send.Command);
        Assert.Equal((TicketDecider.Type, "DB-XF-2025-000001-handling-1"), (send.TargetType, send.TargetInstanceId));
        Assert.Equal((Agency, Bureau, SupervisionGround.Overdue, SupervisionForm.Written, Actors.System), (raise.AgencyId, raise.BureauId, raise.Ground, raise.Form, raise.Actor));
        Assert.Contains(raise.TicketId, f.State.OpenTickets);
        Assert.DoesNotContain("张三", raise.Problem, StringComparison.Ordinal);

        // The ticket orchestration accepts what the case sends.
        Assert.False(TicketDecider.Demo.Decide(TicketState.Initial, raise, new DecisionContext(raise.TicketId, "m", f.Timer("assignment:critical").DueAt, "system")).IsRejected);
    }

    [Fact]
    public void A_late_completion_report_raises_its_own_ground_and_a_bureau_clock_is_supervised_one_level_up()
    {
        var assigned = Case(Accepted);
        while (assigned.State.Clock(ClockNames.Assignment)!.Reached < ClockLevel.Overdue)
        {
            assigned.Fire(Tickets.Flow<CaseState, CaseCommand, CaseEvent>.NextKey(Decider, assigned.State, ClockNames.Assignment));
        }

        Assert.Equal(SupervisionGround.LateCompletionReport, Assert.Single(assigned.Messages<RaiseTicket>()).Ground);

        var registered = Case(Registered);
        while (registered.State.Clock(ClockNames.Routing)!.Reached < ClockLevel.Overdue)
        {
            registered.Fire(Tickets.Flow<CaseState, CaseCommand, CaseEvent>.NextKey(Decider, registered.State, ClockNames.Routing));
        }

        var raise = Assert.Single(registered.Messages<RaiseTicket>());
        Assert.Equal((Bureau, "c-bureau"), (raise.AgencyId, raise.BureauId));
    }

    [Fact]
    public void When_the_case_ends_every_recorded_ticket_is_closed_and_a_ticket_recorded_afterwards_is_closed_at_once()
    {
        var f = Case(UnderReExamination);
        f.Ok(new RecordTicket(Actors.System, "DB-A"), At("2025-11-18"));
        f.Ok(new RecordTicket(Actors.System, "DB-B"), At("2025-11-18"));
        Assert.Empty(f.Do(new RecordTicket(Actors.System, "DB-B"), At("2025-11-18")).Events); // redelivery
        f.Ok(new IssueReExaminationOpinion("c-gov-officer", Outcome.NotSupport, "reexam-1.pdf"), At("2025-12-01"));
        Assert.Equal(CaseStatus.Final, f.State.Status);
        Assert.Equal(["DB-A", "DB-B"], f.Effects.OfType<SendMessage>().Where(m => m.Command is CloseTicket).Select(m => m.TargetInstanceId));

        f.Ok(new RecordTicket(Actors.System, "DB-C"), At("2025-12-02"));
        Assert.Equal("DB-C", Assert.Single(f.Effects.OfType<SendMessage>()).TargetInstanceId);
    }

    [Fact]
    public void A_conference_extension_reschedules_the_handling_clock_with_a_new_generation()
    {
        var f = Case(Accepted);
        var before = f.State.Clock(ClockNames.Handling)!;
        f.Ok(new ApplyConferenceExtension(Actors.System, "DB-1", 20, "需补充鉴定"), At("2025-11-12"));
        var after = f.State.Clock(ClockNames.Handling)!;
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal(before.DueDate.PlusDays(20), after.DueDate); // 11-11 + 20 = 12-01 (Monday)
        Assert.Contains("联席会议", after.Extension!.Reason, StringComparison.Ordinal);
        Assert.Empty(f.Do(new ApplyConferenceExtension(Actors.System, "DB-1", 20, "需补充鉴定"), At("2025-11-12")).Events);
        Assert.Equal(RejectionKind.Forbidden, f.Refused(new ApplyConferenceExtension(Head, "DB-2", 5, "x"), At("2025-11-12"), RejectionKind.Forbidden).Kind);
    }

    [Fact]
    public void Reassignment_routes_the_case_to_the_new_agency_with_fresh_clocks_and_listing_shows_in_the_row()
    {
        var f = Case(Accepted);
        f.Ok(new ReassignCase(Actors.System, "DB-1", "ca-land", "联席会议改交"), At("2025-10-01"));
        Assert.Equal((CaseStatus.Routed, "ca-land", "ca-land"), (f.State.Status, f.State.ResponsibleUnitId, f.State.HandlingUnitId));
        Assert.Equal(ClockStatus.Stopped, f.State.Clock(ClockNames.Handling)!.Status);
        Assert.Equal("ca-land", f.State.Clock(ClockNames.Acceptance)!.ResponsibleUnitId);
        Assert.Equal("ca-land", f.State.Clock(ClockNames.Assignment)!.ResponsibleUnitId); // the 交办 date stays
        Assert.Contains(f.Effects.OfType<DeleteReadModel>(), d => d.PartitionKey == Agency);

        f.Ok(new MarkSupervision(Actors.System, "DB-1", true, false), At("2025-10-02"));
        var row = f.Effects.OfType<UpsertReadModel>().Single();
        Assert.Equal((true, false), ((bool)row.Values[CaseRow.Listed]!, (bool)row.Values[CaseRow.Circulated]!));
    }

    [Fact]
    public void An_accusation_is_never_reassigned_to_the_accused_unit()
    {
        var steps = new (CaseCommand, string)[]
        {
            (Register("2025-09-10", null), "2025-09-10"),
            (new ClassifyCase(Registrar, Category.Accusation, "ca-land"), "2025-09-10"),
            (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11"),
        };
        var f = Case(steps);
        f.Refused(new ReassignCase(Actors.System, "DB-1", "ca-land", "x"), At("2025-09-12"), RejectionKind.Forbidden);
        f.Refused(new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-11-30"), [new CoHandlerDeadline("ca-land", D("2025-11-01"))]), At("2025-09-12"), RejectionKind.Forbidden);
    }

    [Fact]
    public void An_approved_joint_assignment_gives_the_lead_the_case_and_each_co_handler_a_sub_clock_whose_lapse_raises_a_ticket_against_it()
    {
        var f = Case(Registered);
        f.Refused(new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-10-31"), [new CoHandlerDeadline("ca-land", D("2025-10-31"))]), At("2025-09-11"), RejectionKind.Validation);
        f.Ok(new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-10-31"), [new CoHandlerDeadline("ca-land", D("2025-10-20"))]), At("2025-09-11"));

        Assert.Equal((CaseStatus.Routed, Agency, RoutingKind.Assign), (f.State.Status, f.State.HandlingUnitId, f.State.Routing));
        Assert.Equal(D("2025-10-31"), f.State.Clock(ClockNames.Assignment)!.DueDate);
        var sub = f.State.Clock("cohandler:ca-land")!;
        Assert.Equal(("ca-land", D("2025-10-20")), (sub.ResponsibleUnitId, sub.DueDate));
        Assert.Contains("ca-land", f.State.InvolvedUnits);

        var fired = f.Fire("cohandler:ca-land:due");
        Assert.IsType<ClockOverdue>(Assert.Single(fired.Events));
        var raise = Assert.Single(f.Messages<RaiseTicket>());
        Assert.Equal(("ca-land", "DB-XF-2025-000001-cohandler.ca-land-1", SupervisionGround.Overdue), (raise.AgencyId, raise.TicketId, raise.Ground));
    }

    [Fact]
    public void The_lead_s_reply_stops_the_co_handler_clocks()
    {
        var f = Case(Registered);
        f.Ok(new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-11-28"), [new CoHandlerDeadline("ca-land", D("2025-11-20"))]), At("2025-09-11"));
        f.Ok(new AcceptCase(Officer), At("2025-09-12"));
        f.Ok(new IssueReply(Officer, Outcome.Support, "o.pdf"), At("2025-10-10"));
        Assert.Equal(ClockStatus.Stopped, f.State.Clock("cohandler:ca-land")!.Status);
    }

    [Fact]
    public void A_state_with_supervision_data_round_trips_as_a_snapshot()
    {
        var f = Case(Registered);
        f.Ok(new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-11-28"), [new CoHandlerDeadline("ca-land", D("2025-11-20"))]), At("2025-09-11"));
        f.Ok(new RecordTicket(Actors.System, "DB-1"), At("2025-09-12"));
        f.Ok(new MarkSupervision(Actors.System, "DB-1", true, true), At("2025-09-12"));
        var json = CaseJson.Serialize(f.State);
        var back = CaseJson.Deserialize<CaseState>(json);
        Assert.Equal(json, CaseJson.Serialize(back));
        Assert.Equal(("LH-1", "ca-land", "DB-1", true), (back.JointAssignmentId, Assert.Single(back.CoHandlers).UnitId, Assert.Single(back.OpenTickets), back.Circulated));
    }

    [Fact]
    public void Each_supervision_command_applied_twice_yields_nothing_the_second_time()
    {
        (CaseCommand, string)[] path =
        [
            .. Registered,
            (new ApplyJointAssignment(Actors.System, "LH-1", Agency, D("2025-11-28"), [new CoHandlerDeadline("ca-land", D("2025-11-20"))]), "2025-09-11"),
            (new RecordTicket(Actors.System, "DB-1"), "2025-09-11"),
            (new MarkSupervision(Actors.System, "DB-1", true, false), "2025-09-11"),
            (new AcceptCase(Officer), "2025-09-12"),
            (new ApplyConferenceExtension(Actors.System, "DB-1", 10, "联席会议同意"), "2025-09-13"),
            (new ReassignCase(Actors.System, "DB-1", "cb-housing", "联席会议改交"), "2025-09-14"),
        ];
        var state = Decider.Initial;
        foreach (var (command, at) in path)
        {
            var first = Decider.Decide(state, command, Ctx(At(at)));
            Assert.False(first.IsRejected, $"{command.Name}: {first.Rejection}");
            Assert.NotEmpty(first.Events);
            state = first.Events.Aggregate(state, Decider.Evolve);
            var second = Decider.Decide(state, command, Ctx(At(at)));
            Assert.False(second.IsRejected, $"{command.Name} redelivered: {second.Rejection}");
            Assert.Empty(second.Events);
        }
    }
}
