using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>Every clock of DOMAIN.md §2: the event that starts it, its limit and unit, its article, and what stops it.</summary>
public sealed class CaseClockTests
{
    [Fact]
    public void Bureau_registration_starts_the_15_day_routing_clock_Art_22()
    {
        var then = Given().When(Register("2025-09-20 15:00"), "2025-09-20 15:00").Accepted();

        var clock = then.Started(ClockNames.Routing);
        Assert.Equal(CaseStatus.Registered, then.After.Status);
        Assert.Equal((15, DayUnit.Natural, LegalBasis.Law), (clock.Days, clock.Unit, clock.Basis));
        Assert.Contains("第二十二条", clock.Article, StringComparison.Ordinal);
        Assert.Equal(D("2025-10-09"), clock.DueDate); // raw 10-05 falls in the National Day holiday
        Assert.Equal(Bureau, clock.ResponsibleUnitId);
    }

    [Fact]
    public void An_agency_receiving_directly_has_15_days_to_accept_and_tell_the_petitioner_Art_23()
    {
        var then = Given().When(Register("2025-09-10", unit: Agency, actor: Officer), "2025-09-10").Accepted();

        var clock = then.Started(ClockNames.Acceptance);
        Assert.Equal(CaseStatus.ReceivedByAgency, then.After.Status);
        Assert.Equal(D("2025-09-25"), clock.DueDate);
        Assert.Contains("第二十三条", clock.Article, StringComparison.Ordinal);
        Assert.Equal("ca-bureau", then.After.BureauId); // the bureau of the agency's level supervises
    }

    [Fact]
    public void Routing_stops_the_routing_clock_and_starts_acceptance_15_days_and_objection_5_working_days_Art_23()
    {
        var given = Given([.. Run(Registered)]);
        var then = given.When(new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-26").Accepted();

        Assert.Contains(then.Events, e => e is ClockStopped { Name: ClockNames.Routing });
        Assert.Equal(D("2025-10-11"), then.Started(ClockNames.Acceptance).DueDate); // 10-11 is a make-up working Saturday
        var objection = then.Started(ClockNames.Objection);
        Assert.Equal((5, DayUnit.Working, ClockKind.Window), (objection.Days, objection.Unit, objection.Kind));
        Assert.Equal(D("2025-10-10"), objection.DueDate); // counts Sun 09-28, a make-up workday (DOMAIN.md §7)
        Assert.Equal(Agency, then.After.ResponsibleUnitId);
    }

    [Fact]
    public void Assignment_carries_the_bureau_set_deadline_and_a_completion_report_that_stops_it_Art_22()
    {
        var then = Given([.. Run(Registered)])
            .When(new RouteCase(Registrar, RoutingKind.Assign, Agency, D("2025-10-31")), "2025-09-11").Accepted();

        var assignment = then.Started(ClockNames.Assignment);
        Assert.Equal(D("2025-10-31"), assignment.DueDate);
        Assert.True(then.After.ReportRequired);

        var report = Given([.. Run(Replied)]).When(new SubmitCompletionReport(Officer, "report.pdf"), "2025-10-21").Accepted();
        Assert.Contains(report.Events, e => e is ClockStopped { Name: ClockNames.Assignment });
    }

    [Fact]
    public void An_objection_after_5_working_days_is_refused()
    {
        var given = Given([.. Run(Routed)]); // routed 2025-09-11 (Thu): window ends 2025-09-18
        given.When(new RaiseObjection(Officer, "不属本单位职责"), "2025-09-18 23:00").Accepted();
        var late = given.When(new RaiseObjection(Officer, "不属本单位职责"), "2025-09-19 09:00").Rejected(RejectionKind.InvalidTransition);
        Assert.Contains("5-working-day", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_upheld_objection_returns_the_item_to_the_bureau_which_routes_again_on_a_new_generation()
    {
        var events = Run([.. Routed, (new RaiseObjection(Officer, "属自然资源局职责"), "2025-09-12")]);
        var then = Given([.. events]).When(new DecideObjection(Registrar, true, "核实属实"), "2025-09-15").Accepted();

        Assert.Equal(CaseStatus.Registered, then.After.Status);
        Assert.Equal(Bureau, then.After.ResponsibleUnitId);
        var routing = then.Started(ClockNames.Routing);
        Assert.Equal(2, routing.Generation);
        Assert.Contains(then.Events, e => e is ClockStopped { Name: ClockNames.Acceptance });

        var rerouted = Given([.. events, .. then.Events]).When(new RouteCase(Registrar, RoutingKind.Forward, "ca-land"), "2025-09-16").Accepted();
        Assert.Equal("ca-land", rerouted.After.ResponsibleUnitId);
    }

    [Fact]
    public void An_overruled_objection_sends_the_item_back_and_the_acceptance_clock_kept_running()
    {
        var events = Run([.. Routed, (new RaiseObjection(Officer, "不属本单位职责"), "2025-09-12")]);
        var then = Given([.. events]).When(new DecideObjection(Registrar, false, "属于本单位职责"), "2025-09-15").Accepted();

        Assert.Equal(CaseStatus.Routed, then.After.Status);
        Assert.Equal(ClockStatus.Running, then.After.Clock(ClockNames.Acceptance)!.Status);
        Assert.Equal(1, then.After.Clock(ClockNames.Acceptance)!.Generation);
    }

    [Fact]
    public void Acceptance_starts_the_60_day_handling_clock_Art_34()
    {
        var accepted = Given([.. Run([.. Registered, (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-10 11:00")])])
            .When(new AcceptCase(Officer), "2025-09-10 15:00").Accepted();

        var handling = accepted.Started(ClockNames.Handling);
        Assert.Equal(D("2025-11-10"), handling.DueDate); // raw 11-09 is a Sunday
        Assert.Equal((60, LegalBasis.Law), (handling.Days, handling.Basis));
        Assert.Contains("第三十四条", handling.Article, StringComparison.Ordinal);
        Assert.Contains(accepted.Events, e => e is ClockStopped { Name: ClockNames.Acceptance });
        Assert.Contains(accepted.Events, e => e is ClockStopped { Name: ClockNames.Objection });
    }

    [Fact]
    public void Suggestions_and_accusations_run_a_policy_clock_flagged_as_policy()
    {
        var steps = Run((Register("2025-09-10", Category.Suggestion), "2025-09-10"), (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-10"));
        var handling = Given([.. steps]).When(new AcceptCase(Officer), "2025-09-10").Accepted().Started(ClockNames.Handling);

        Assert.Equal(LegalBasis.Policy, handling.Basis);
        Assert.Equal(PolicyRules.HandlingSuggestion, handling.PolicyRule);
    }

    [Fact]
    public void Simplified_handling_runs_10_working_days_local_rule()
    {
        var steps = Run((Register("2025-09-26"), "2025-09-26"), (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-26"));
        var handling = Given([.. steps]).When(new AcceptCase(Officer, HandlingMode.Simplified), "2025-09-26").Accepted().Started(ClockNames.Handling);

        Assert.Equal((10, DayUnit.Working, LegalBasis.Local), (handling.Days, handling.Unit, handling.Basis));
        // 09-28 (make-up Sun), 09-29, 09-30, [National Day 10-01..08], 10-09, 10-10, 10-11 (make-up Sat), 10-13, 10-14, 10-15, 10-16
        Assert.Equal(D("2025-10-16"), handling.DueDate);
    }

    [Fact]
    public void One_extension_of_at_most_30_days_by_the_agency_head_told_to_the_petitioner_moves_the_due_date()
    {
        var accepted = Run([.. Registered, (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-10"), (new AcceptCase(Officer), "2025-09-10")]);
        var given = Given([.. accepted]);

        var then = given.When(new ApproveExtension(Head, 30, "情况复杂，需现场勘验", D("2025-10-30")), "2025-10-30").Accepted();
        var clock = Assert.Single(then.Events.OfType<ClockRescheduled>()).Clock;
        Assert.Equal(D("2025-12-09"), clock.DueDate);
        Assert.Equal(2, clock.Generation);

        Assert.Equal(RejectionKind.Forbidden, given.When(new ApproveExtension(Officer, 30, "复杂", D("2025-10-30")), "2025-10-30").Rejected(RejectionKind.Forbidden).Kind);
        given.When(new ApproveExtension(Head, 31, "复杂", D("2025-10-30")), "2025-10-30").Rejected(RejectionKind.Validation);
        given.When(new ApproveExtension(Head, 10, " ", D("2025-10-30")), "2025-10-30").Rejected(RejectionKind.Validation);

        var twice = Given([.. accepted, .. then.Events]).When(new ApproveExtension(Head, 10, "再次延期", D("2025-11-30")), "2025-11-30")
            .Rejected(RejectionKind.InvalidTransition);
        Assert.Contains("Art. 34 allows one extension", twice.Reason, StringComparison.Ordinal); // H6 wording
    }

    [Fact]
    public void The_reply_stops_handling_and_opens_the_30_day_review_window_from_service_Art_35()
    {
        var then = Given([.. Run(Accepted)]).When(new IssueReply(Officer, Outcome.Support, "opinion.pdf", D("2025-09-22")), "2025-09-20").Accepted();

        Assert.Contains(then.Events, e => e is ClockStopped { Name: ClockNames.Handling });
        var window = then.Started(ClockNames.ReviewWindow);
        Assert.Equal((ClockKind.Window, D("2025-10-22")), (window.Kind, window.DueDate));
    }

    [Fact]
    public void Review_goes_to_the_body_one_level_above_with_30_days_from_receipt_Art_35()
    {
        var then = Given([.. Run(Replied)]).When(new RequestReview(PetitionerActor, D("2025-10-24")), "2025-10-25").Accepted();

        Assert.Equal(ReviewBody, then.After.ResponsibleUnitId);
        var review = then.Started(ClockNames.Review);
        Assert.Equal(D("2025-11-24"), review.DueDate); // 10-24 + 30 = 11-23 (Sun) → Mon
        Assert.Contains(then.Events, e => e is ClockStopped { Name: ClockNames.ReviewWindow });
    }

    [Fact]
    public void A_review_request_after_the_window_is_refused_and_the_lapse_closes_the_case()
    {
        var given = Given([.. Run(Replied)]); // served 2025-10-20 → window ends 2025-11-19 24:00
        given.When(new RequestReview(PetitionerActor), "2025-11-20 09:00").Rejected(RejectionKind.InvalidTransition);

        var window = given.State.Clock(ClockNames.ReviewWindow)!;
        Assert.Equal(D("2025-11-19"), window.DueDate);
        var timer = Assert.Single(Decider.Timers(given.State), t => t.Key == "review-window:due");
        var lapse = given.When(Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), timer.DueAt).Accepted();
        Assert.Equal(CaseStatus.Closed, lapse.After.Status);
    }

    [Fact]
    public void Re_examination_goes_one_level_above_the_reviewer_with_30_days_Art_36()
    {
        var then = Given([.. Run(Reviewed)]).When(new RequestReExamination(PetitionerActor), "2025-11-14").Accepted();

        Assert.Equal(ReExamBody, then.After.ResponsibleUnitId);
        Assert.Equal(D("2025-12-15"), then.Started(ClockNames.ReExam).DueDate); // 12-14 is a Sunday
        Assert.Equal(D("2025-12-10"), Given([.. Run(Reviewed)]).State.Clock(ClockNames.ReExamWindow)!.DueDate);
    }

    [Fact]
    public void A_hearing_pauses_the_re_examination_clock_Art_36()
    {
        var events = Run([.. Reviewed, (new RequestReExamination(PetitionerActor, D("2025-11-14")), "2025-11-14")]);
        var before = Given([.. events]).State.Clock(ClockNames.ReExam)!;
        Assert.Equal(D("2025-12-15"), before.DueDate);

        var started = Given([.. events]).When(new StartHearing("c-gov-officer", D("2025-11-20")), "2025-11-20").Accepted();
        Assert.Equal(ClockStatus.Paused, started.After.Clock(ClockNames.ReExam)!.Status);
        Assert.DoesNotContain(Decider.Timers(started.After), t => t.Key.StartsWith("reexam:", StringComparison.Ordinal));

        var ended = Given([.. events, .. started.Events]).When(new EndHearing("c-gov-officer", D("2025-11-26")), "2025-11-26").Accepted();
        var after = Assert.Single(ended.Events.OfType<ClockRescheduled>()).Clock;
        Assert.Equal(D("2025-12-21").PlusDays(1), after.DueDate); // 7 paused days: 12-14+7 = 12-21 (Sun) → 12-22
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal(ClockStatus.Running, after.Status);
    }

    [Fact]
    public void Re_examination_opinion_makes_the_case_final_and_a_repeat_is_refused_Art_36()
    {
        var final = Given([.. Run(Final)]);
        Assert.Equal(CaseStatus.Final, final.State.Status);
        Assert.DoesNotContain(Decider.Timers(final.State), t => !t.Key.StartsWith("assignment", StringComparison.Ordinal));

        var repeat = final.When(new RecordRepeatPetition("cb-registrar", At("2026-01-05"), Channel.Visit, "cb-bureau"), "2026-01-05").Accepted();
        Assert.IsType<RepeatPetitionRefused>(Assert.Single(repeat.Events));
        final.When(Register("2026-01-05") with { CaseId = "XF-2026-000009" }, "2026-01-05").Rejected(RejectionKind.InvalidTransition);
    }

    [Fact]
    public void While_open_the_same_item_elsewhere_is_noted_not_accepted_Art_19()
    {
        var then = Given([.. Run(Accepted)]).When(new RecordRepeatPetition("c-registrar", At("2025-09-20"), Channel.Online, "c-bureau"), "2025-09-20").Accepted();
        Assert.IsType<DuplicatePetitionNoted>(Assert.Single(then.Events));
    }

    [Fact]
    public void Referral_out_of_the_petition_track_stops_every_clock()
    {
        var then = Given([.. Run(Routed)]).When(new ReferOut(Officer, ReferralChannel.Litigation, "已进入诉讼程序", "ca-court"), "2025-09-12").Accepted();

        Assert.Equal(CaseStatus.ReferredOut, then.After.Status);
        Assert.Empty(then.After.ActiveClocks);
        Assert.Empty(Decider.Timers(then.After));
    }

    [Fact]
    public void A_major_item_is_reported_at_once_to_leaders_and_the_conference_office_Art_25()
    {
        var then = Given().When(Register("2025-09-10") with { MajorReason = "群体性事件苗头" }, "2025-09-10").Accepted();

        Assert.Contains(then.Events, e => e is MajorItemReported);
        var alert = Assert.Single(then.Effects().OfType<RaiseAlert>()).Alert;
        Assert.Equal(AlertUrgency.Urgent, alert.Urgency);
        Assert.Contains(alert.To, a => a == new AlertAudience("leader", "ca-gov"));
        Assert.Contains(alert.To, a => a == new AlertAudience("leader", "ca-party"));
        Assert.Contains(alert.To, a => a == new AlertAudience("conference-staff", "ca-conf"));
        Assert.DoesNotContain("张三", alert.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_visit_elects_at_most_5_representatives_Art_18()
    {
        var visit = Register("2025-09-10") with { Channel = Channel.Visit, GroupSize = 20, Representatives = 6 };
        Given().When(visit, "2025-09-10").Rejected(RejectionKind.Validation);
        Given().When(visit with { Representatives = 5 }, "2025-09-10").Accepted();
    }

    [Fact]
    public void The_written_notice_may_be_skipped_only_when_name_or_address_is_unknown_Art_23()
    {
        var given = Given([.. Run(Routed)]);
        given.When(new AcceptCase(Officer, NoticeSent: false), "2025-09-12").Rejected(RejectionKind.Validation);

        var anonymous = Run(
            (Register("2025-09-10") with { Petitioner = new Petitioner("匿名") }, "2025-09-10"),
            (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-10"));
        Given([.. anonymous]).When(new AcceptCase(Officer, NoticeSent: false), "2025-09-12").Accepted();
    }
}
