using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.Tickets;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>领导包案 (decisions O1–O3): Given(events) / When(take-ownership | assign-owner) / Then(ownership-taken), alerts and guards.</summary>
public sealed class CaseOwnershipTests
{
    private static readonly CaseEvent[] AcceptedEvents = [.. Run(Accepted)];

    [Fact]
    public void A_leader_over_the_case_takes_ownership_and_the_case_names_them()
    {
        var then = Given(AcceptedEvents).When(new TakeOwnership(CityLeader, "领导接访后包案", "RC-1"), "2025-09-15").Events_are(typeof(OwnershipTaken));
        var e = Assert.IsType<OwnershipTaken>(Assert.Single(then.Events));
        Assert.Equal((CityLeader, "郑国栋", "c-gov", D("2025-09-15"), CityLeader, "RC-1"), (e.LeaderId, e.LeaderName, e.UnitId, e.On, e.By, e.ReceptionId));
        Assert.Equal(new CaseOwner(CityLeader, "郑国栋", "c-gov", D("2025-09-15"), null, "RC-1"), then.After.Owner);

        // The read-model row names the owner (the leader page lists by it), and the handling agency and owner are told.
        var effects = then.Effects();
        var row = Assert.Single(effects.OfType<UpsertReadModel>());
        Assert.Equal(CityLeader, row.Values[CaseRow.Owner]);
        var alert = Assert.Single(effects.OfType<RaiseAlert>()).Alert;
        Assert.Equal("case.owned", alert.Kind);
        Assert.Contains(AlertAudience.Person(CityLeader), alert.To);
        Assert.Contains(new AlertAudience("agency-head", Agency), alert.To);
    }

    [Fact]
    public void Taking_it_again_is_a_no_op_and_another_leader_is_refused_409_naming_the_owner()
    {
        var owned = Run([.. Accepted, (new TakeOwnership(CityLeader, "包案"), "2025-09-15")]);
        Given([.. owned]).When(new TakeOwnership(CityLeader, "包案"), "2025-09-16").Nothing();

        // ca-leader leads 东城县 government, over the agency: entitled, but the case already has an owner.
        var refused = Given([.. owned]).When(new TakeOwnership("ca-leader", "我来包案"), "2025-09-16").Rejected(RejectionKind.InvalidTransition);
        Assert.Contains("郑国栋", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("2025-09-15", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_or_final_case_cannot_be_owned_and_only_an_entitled_leader_may_take_one()
    {
        var final = Given([.. Run(Final)]).When(new TakeOwnership(CityLeader, "包案"), "2025-12-03").Rejected(RejectionKind.InvalidTransition);
        Assert.Contains("final", final.Reason, StringComparison.Ordinal);

        // Another county's leader is not over any unit that held the case; an officer is not a leader at all.
        Given(AcceptedEvents).When(new TakeOwnership("cb-leader", "包案"), "2025-09-15").Rejected(RejectionKind.Forbidden);
        Given(AcceptedEvents).When(new TakeOwnership(Officer, "包案"), "2025-09-15").Rejected(RejectionKind.Forbidden);

        var invalid = Given(AcceptedEvents).When(new TakeOwnership(CityLeader, " "), "2025-09-15").Rejected(RejectionKind.Validation);
        Assert.Contains(invalid.Fields!, f => f.Field == "reason");
    }

    [Fact]
    public void A_leader_of_the_accused_unit_may_not_own_an_accusation_against_it()
    {
        // The accused is the county government (ca-gov), where ca-leader holds a role: excluded (Arts. 30, 46). The city leader is not.
        var events = Run((Register("2025-09-10", Category.Accusation) with { AccusedUnitId = "ca-gov" }, "2025-09-10"),
            (new RouteCase(Registrar, RoutingKind.Forward, "ca-land"), "2025-09-11"));
        Given([.. events]).When(new TakeOwnership("ca-leader", "包案"), "2025-09-12").Rejected(RejectionKind.Forbidden);
        Given([.. events]).When(new AssignOwnership(Actors.System, "DB-1", "ca-leader", "联席会议决定"), "2025-09-12").Rejected(RejectionKind.Forbidden);
        Given([.. events]).When(new TakeOwnership(CityLeader, "包案"), "2025-09-12").Events_are(typeof(OwnershipTaken));
    }

    [Fact]
    public void The_owner_is_alerted_on_every_overdue_step_but_not_on_earlier_levels()
    {
        var f = new Flow<CaseState, CaseCommand, CaseEvent>(Decider, CaseId, Run([.. Accepted, (new TakeOwnership(CityLeader, "包案"), "2025-09-15")]));
        var overdueAlerts = new List<Alert>();
        var earlierAlerts = new List<Alert>();
        while (f.State.Clock(ClockNames.Assignment)!.Reached < ClockLevel.Overdue)
        {
            f.Fire(Flow<CaseState, CaseCommand, CaseEvent>.NextKey(Decider, f.State, ClockNames.Assignment));
            (f.Last.Events.OfType<ClockOverdue>().Any() ? overdueAlerts : earlierAlerts).AddRange(f.Alerts);
        }

        Assert.NotEmpty(earlierAlerts);
        Assert.All(earlierAlerts, a => Assert.DoesNotContain(AlertAudience.Person(CityLeader), a.To));
        var overdue = Assert.Single(overdueAlerts);
        Assert.Equal("deadline.overdue", overdue.Kind);
        Assert.Contains(AlertAudience.Person(CityLeader), overdue.To);

        // The handling clock's red too: every overdue step, not only the first.
        while (f.State.Clock(ClockNames.Handling)!.Reached < ClockLevel.Overdue)
        {
            f.Fire(Flow<CaseState, CaseCommand, CaseEvent>.NextKey(Decider, f.State, ClockNames.Handling));
        }

        Assert.Contains(AlertAudience.Person(CityLeader), Assert.Single(f.Alerts, a => a.Kind == "deadline.overdue").To);
    }

    [Fact]
    public void The_conference_office_assigns_a_leader_as_the_last_rung_and_the_ticket_sends_it_to_the_case()
    {
        var ruled = new TicketDecider(Decider.Calendar, OrgDemo, SupervisionPolicy.Default);
        var state = TicketState.Initial with
        {
            TicketId = "DB-1",
            CaseId = CaseId,
            AgencyId = Agency,
            BureauId = Bureau,
            Status = TicketStatus.Open,
            Form = SupervisionForm.ConferenceReferral,
        };
        var ctx = new DecisionContext("DB-1", "m-1", At("2025-11-01"), "test");
        var decision = ruled.Decide(state, new ConferenceDecision("ca-conf-staff", Note: "领导包案", OwnerLeaderId: CityLeader), ctx);
        var decided = Assert.IsType<ConferenceDecided>(Assert.Single(decision.Events));
        Assert.Equal(CityLeader, decided.OwnerLeaderId);
        Assert.Equal(RejectionKind.Validation, ruled.Decide(state, new ConferenceDecision("ca-conf-staff", OwnerLeaderId: Officer), ctx).Rejection?.Kind);
        var send = Assert.Single(ruled.Effects(state, decided, ruled.Evolve(state, decided), new EffectContext("DB-1", 5, At("2025-11-01"))).OfType<SendMessage>());
        var assign = Assert.IsType<AssignOwnership>(send.Command);
        Assert.Equal((CaseDecider.Type, CaseId, CityLeader, "DB-1"), (send.TargetType, send.TargetInstanceId, assign.LeaderId, assign.TicketId));

        var then = Given(AcceptedEvents).When(assign, "2025-11-01").Events_are(typeof(OwnershipTaken));
        Assert.Equal(("DB-1", Actors.System), (then.After.Owner!.TicketId, ((OwnershipTaken)then.Events[0]).By));
        Given([.. AcceptedEvents, .. then.Events]).When(assign, "2025-11-02").Nothing(); // redelivered message

        // A person cannot send the system's command.
        Given(AcceptedEvents).When(assign with { Actor = CityLeader }, "2025-11-01").Rejected(RejectionKind.Forbidden);
    }
}
