using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>An accusation never reaches the accused (Arts. 30, 46): routing, referral, actors, alerts, visibility.</summary>
public sealed class AccusationGuardTests
{
    // Accuses 东城县住建局 and a head of 东城县自然资源局.
    private static RegisterCase Accusation(string at = "2025-09-10") =>
        Register(at, Category.Accusation) with { AccusedUnitId = Agency, AccusedPersonId = "ca-land-head" };

    private static readonly List<CaseEvent> Registered = Run((Accusation(), "2025-09-10"));

    [Theory]
    [InlineData(Agency)]      // the accused unit, although it would be the competent body
    [InlineData("ca-land")]   // the accused person's unit
    public void Routing_to_the_accused_is_forbidden(string agency)
    {
        var rejection = Given([.. Registered]).When(new RouteCase(Registrar, RoutingKind.Forward, agency), "2025-09-11").Rejected(RejectionKind.Forbidden);
        Assert.Contains("accused", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Referral_to_discipline_inspection_and_routing_elsewhere_are_allowed()
    {
        Given([.. Registered]).When(new ReferOut(Registrar, ReferralChannel.DisciplineInspection, "移送纪委监委", "ca-cdi"), "2025-09-11").Accepted();
        Given([.. Registered]).When(new RouteCase(Registrar, RoutingKind.Forward, "ca-gov"), "2025-09-11").Accepted();
    }

    [Fact]
    public void People_of_the_accused_units_cannot_act_on_the_case()
    {
        var routed = Run((Accusation(), "2025-09-10"), (new RouteCase(Registrar, RoutingKind.Forward, "ca-gov"), "2025-09-11"));
        Given([.. routed]).When(new ReportMajor(Officer, "x"), "2025-09-12").Rejected(RejectionKind.Forbidden);
        Given([.. routed]).When(new ReportMajor("ca-land-head", "x"), "2025-09-12").Rejected(RejectionKind.Forbidden);
        Given([.. routed]).When(new ReportMajor("ca-gov-officer", "x"), "2025-09-12").Accepted();
    }

    [Fact]
    public void The_accused_cannot_register_an_accusation_against_itself()
    {
        Given().When(Accusation() with { UnitId = Agency, Actor = Officer }, "2025-09-10").Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Naming_an_accused_is_only_for_accusations()
    {
        Given().When(Register("2025-09-10", Category.Complaint) with { AccusedUnitId = Agency }, "2025-09-10").Rejected(RejectionKind.Validation);
    }

    [Fact]
    public void Review_by_an_accused_body_one_level_above_is_forbidden()
    {
        var replied = Run(
            (Register("2025-09-10", Category.Accusation) with { AccusedUnitId = "ca-gov" }, "2025-09-10"),
            (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11"),
            (new AcceptCase(Officer), "2025-09-12"),
            (new IssueReply(Officer, Outcome.Explain, "o.pdf"), "2025-09-20"));
        Given([.. replied]).When(new RequestReview(PetitionerActor), "2025-09-21").Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Alerts_never_address_the_accused_unit()
    {
        var then = Given().When(Register("2025-09-10", Category.Accusation) with { AccusedUnitId = "ca-gov", MajorReason = "紧急" }, "2025-09-10").Accepted();

        var alert = Assert.Single(then.Effects().OfType<RaiseAlert>()).Alert;
        Assert.DoesNotContain(alert.To, a => a.UnitId == "ca-gov");
        Assert.Contains(alert.To, a => a.UnitId == "ca-party");
    }

    [Fact]
    public void Visibility_excludes_the_accused_and_their_units_and_includes_involved_and_supervising_people()
    {
        var state = Fold(Run((Accusation(), "2025-09-10"), (new RouteCase(Registrar, RoutingKind.Forward, "ca-gov"), "2025-09-11")));
        bool Sees(string person) => CaseVisibility.CanSee(OrgDemo, OrgDemo.PersonById(person)!, state);

        Assert.True(Sees(Registrar));
        Assert.True(Sees("ca-gov-officer"));
        Assert.True(Sees("ca-supervisor"));
        Assert.True(Sees("c-leader"));        // a leader above sees the level below
        Assert.False(Sees(Officer));          // accused unit
        Assert.False(Sees(Head));
        Assert.False(Sees("ca-land-head"));   // accused person
        Assert.False(Sees("ca-land-officer")); // the accused person's unit
        Assert.False(Sees("cb-registrar"));   // not involved
        Assert.True(CaseVisibility.CanPetitionerSee(state, QueryCode));
        Assert.False(CaseVisibility.CanPetitionerSee(state, "guess"));
    }

    [Fact]
    public void Row_visibility_applies_the_same_rule_for_list_queries()
    {
        var then = Given([.. Registered]).When(new RouteCase(Registrar, RoutingKind.Forward, "ca-gov"), "2025-09-11");
        var row = then.Effects().OfType<UpsertReadModel>().Last().Values;

        Assert.True(CaseVisibility.CanSeeRow(OrgDemo, OrgDemo.PersonById("ca-gov-officer")!, row));
        Assert.False(CaseVisibility.CanSeeRow(OrgDemo, OrgDemo.PersonById(Officer)!, row));
        Assert.False(CaseVisibility.CanSeeRow(OrgDemo, OrgDemo.PersonById("ca-land-head")!, row));
        Assert.False(CaseVisibility.CanSeeRow(OrgDemo, OrgDemo.PersonById("ca-land-officer")!, row));
    }

    [Fact]
    public void Non_accusations_exclude_nobody()
    {
        var state = Fold(Run(Routed));
        Assert.True(CaseVisibility.CanSee(OrgDemo, OrgDemo.PersonById(Officer)!, state));
        Assert.Empty(AccusationGuard.ExcludedUnits(OrgDemo, state));
    }
}
