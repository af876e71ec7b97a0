using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>Roles and unit scope of the actor (403), and data validation (400).</summary>
public sealed class CaseAuthorizationTests
{
    [Fact]
    public void Only_the_responsible_bureaus_registrar_routes()
    {
        var given = Given([.. Run(Registered)]);
        given.When(new RouteCase("cb-registrar", RoutingKind.Forward, Agency), "2025-09-11").Rejected(RejectionKind.Forbidden);
        given.When(new RouteCase(Officer, RoutingKind.Forward, Agency), "2025-09-11").Rejected(RejectionKind.Forbidden);
        given.When(new RouteCase("nobody", RoutingKind.Forward, Agency), "2025-09-11").Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Only_the_agency_it_was_routed_to_accepts()
    {
        var given = Given([.. Run(Routed)]);
        given.When(new AcceptCase("ca-land-officer"), "2025-09-12").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase(Registrar), "2025-09-12").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase(Actors.System), "2025-09-12").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase(Head), "2025-09-12").Accepted();
    }

    [Fact]
    public void The_petitioner_acts_with_the_query_code_only_for_their_own_requests()
    {
        var given = Given([.. Run(Replied)]);
        given.When(new RequestReview(Actors.Petitioner("WRONG")), "2025-10-21").Rejected(RejectionKind.Forbidden);
        given.When(new IssueReply(PetitionerActor, Outcome.Support, "x.pdf"), "2025-10-21").Rejected(RejectionKind.InvalidTransition);
        given.When(new ReportMajor(PetitionerActor, "x"), "2025-10-21").Rejected(RejectionKind.Forbidden);
        given.When(new RateHandling("cb-registrar", Rating.Satisfied), "2025-10-21").Accepted(); // a bureau on the petitioner's behalf
        given.When(new RequestReview(PetitionerActor), "2025-10-21").Accepted();
    }

    [Fact]
    public void A_rating_is_given_once_per_opinion_and_does_not_touch_the_clocks()
    {
        var events = Run([.. Replied, (new RateHandling(PetitionerActor, Rating.Dissatisfied), "2025-10-21")]);
        var given = Given([.. events]);
        Assert.Equal(Given([.. Run(Replied)]).State.Clocks.Values.Select(c => c.Generation), given.State.Clocks.Values.Select(c => c.Generation));
        given.When(new RateHandling(PetitionerActor, Rating.Satisfied), "2025-10-22").Rejected(RejectionKind.InvalidTransition);
        given.When(new RateHandling(PetitionerActor, Rating.Dissatisfied), "2025-10-22").Nothing();
    }

    [Fact]
    public void The_online_portal_registers_online_petitions_at_a_bureau_records_their_repeats_and_does_nothing_else()
    {
        var online = Register("2025-09-10", actor: Actors.Portal) with { Channel = Channel.Online };
        var then = Given().When(online, "2025-09-10").Events_are(typeof(CaseRegistered), typeof(ClockStarted));
        Assert.Equal(Channel.Online, then.After.Channel);
        Assert.Equal(ClockNames.Routing, then.Started(ClockNames.Routing).Name); // Art. 22: 15 days to route
        Assert.Equal(Actors.Portal, Assert.IsType<CaseRegistered>(then.Events[0]).By);

        // Only online petitions, only at a petition bureau.
        Given().When(online with { Channel = Channel.Letter }, "2025-09-10").Rejected(RejectionKind.Forbidden);
        Given().When(online with { UnitId = Agency }, "2025-09-10").Rejected(RejectionKind.Forbidden);

        // It records an online repeat on the earlier case, and takes no step of the bureau's.
        var given = Given([.. Run((online, "2025-09-10"))]);
        given.When(new RecordRepeatPetition(Actors.Portal, At("2025-09-11"), Channel.Online, Bureau), "2025-09-11").Events_are(typeof(DuplicatePetitionNoted));
        given.When(new RecordRepeatPetition(Actors.Portal, At("2025-09-11"), Channel.Visit, Bureau), "2025-09-11").Rejected(RejectionKind.Forbidden);
        given.When(new RouteCase(Actors.Portal, RoutingKind.Forward, Agency), "2025-09-11").Rejected(RejectionKind.Forbidden);
        given.When(new ClassifyCase(Actors.Portal, Category.Suggestion), "2025-09-11").Rejected(RejectionKind.Forbidden);
        given.When(new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11").Accepted(); // the registrar takes it from the queue
    }

    [Fact]
    public void Data_errors_are_validation_rejections()
    {
        Given().When(Register("2025-09-10") with { UnitId = "nowhere" }, "2025-09-10").Rejected(RejectionKind.Validation);
        Given().When(Register("2025-09-12"), "2025-09-10").Rejected(RejectionKind.Validation); // received in the future
        Given().When(Register("2025-09-10") with { Summary = " " }, "2025-09-10").Rejected(RejectionKind.Validation);
        Given().When(Register("2025-09-10", unit: "ca-cdi", actor: "ca-cdi-officer"), "2025-09-10").Rejected(RejectionKind.Validation);

        Given().When(Register("2025-09-10") with { ReceivedAt = At("1999-12-31") }, "2025-09-10").Rejected(RejectionKind.Validation);
        Given().When(Register("2025-09-10") with { Actor = null! }, "2025-09-10").Rejected(RejectionKind.Forbidden);

        var registered = Given([.. Run(Registered)]);
        registered.When(new RouteCase(Registrar, RoutingKind.Assign, Agency, D("2099-01-01")), "2025-09-11").Rejected(RejectionKind.Validation);
        registered.When(new RouteCase(Registrar, RoutingKind.Assign, Agency), "2025-09-11").Rejected(RejectionKind.Validation);
        registered.When(new RouteCase(Registrar, RoutingKind.Forward, Agency, D("2025-10-01")), "2025-09-11").Rejected(RejectionKind.Validation);
        registered.When(new RouteCase(Registrar, RoutingKind.Forward, "ca-court"), "2025-09-11").Rejected(RejectionKind.Validation);
        registered.When(new ReferOut(Registrar, ReferralChannel.DisciplineInspection, "移送"), "2025-09-11").Rejected(RejectionKind.Validation);
        registered.When(new ReferOut(Registrar, ReferralChannel.Litigation, "起诉", "ca-cdi"), "2025-09-11").Rejected(RejectionKind.Validation);

        var accepted = Given([.. Run(Accepted)]);
        accepted.When(new IssueReply(Officer, Outcome.Support, ""), "2025-09-20").Rejected(RejectionKind.Validation);
        accepted.When(new IssueReply(Officer, Outcome.Support, "o.pdf", D("2025-09-19")), "2025-09-20").Rejected(RejectionKind.Validation);
        accepted.When(new IssueReply(Officer, Outcome.Support, "o.pdf", D("2099-09-19")), "2025-09-20").Rejected(RejectionKind.Validation);
    }

    [Fact]
    public void An_unclassified_item_is_classified_before_routing()
    {
        var given = Given([.. Run((Register("2025-09-10", category: null), "2025-09-10"))]);
        var refused = given.When(new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11").Rejected(RejectionKind.InvalidTransition);
        Assert.Contains("classify", refused.Reason, StringComparison.Ordinal);

        var classified = Run((Register("2025-09-10", category: null), "2025-09-10"), (new ClassifyCase(Registrar, Category.Suggestion), "2025-09-10"));
        Given([.. classified]).When(new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11").Accepted();
    }

    [Fact]
    public void Registration_pins_the_most_specific_regions_latest_policy()
    {
        var v1 = PolicyCatalog.Default.Get(new("petition", "*", 1));
        var catalog = PolicyCatalog.Default.With(v1 with { Version = 2 }).With(v1 with { Region = "990101", Version = 7 });
        var decider = new CaseDecider(LegalDays, catalog, OrgDemo);

        Assert.Equal(new PolicyRef("petition", "990101", 7), Fold(Run(decider, Registered), decider).Policy);
        var cb = Register("2025-09-10", unit: "cb-bureau", actor: "cb-registrar");
        Assert.Equal(new PolicyRef("petition", "*", 2), Fold(Run(decider, (cb, "2025-09-10")), decider).Policy);
    }

    [Fact]
    public void The_re_examination_window_lapsing_closes_the_case_and_a_closed_case_takes_no_repeat()
    {
        var state = Fold(Run(Reviewed));
        var timer = Assert.Single(Decider.Timers(state), t => t.Key == "reexam-window:due");
        var lapse = Decider.Decide(state, Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), Ctx(timer.DueAt));
        var closed = lapse.Events.Aggregate(state, Decider.Evolve);

        Assert.Equal(CaseStatus.Closed, closed.Status);
        var repeat = Decider.Decide(closed, new RecordRepeatPetition("cb-registrar", At("2026-01-05"), Channel.Visit, "cb-bureau"), Ctx(At("2026-01-05")));
        Assert.Equal(RejectionKind.InvalidTransition, repeat.Rejection?.Kind);
    }
}
