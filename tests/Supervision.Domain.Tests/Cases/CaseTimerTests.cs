using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>Escalation thresholds of DOMAIN.md §9 as durable timers, lights over time, stale generations, alerts.</summary>
public sealed class CaseTimerTests
{
    // Accepted 2025-09-10: handling due 2025-11-10 (Mon), i.e. 2025-11-11 00:00 Beijing time.
    private static readonly List<CaseEvent> AcceptedOn0910 =
        Run([.. Registered, (new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-10"), (new AcceptCase(Officer), "2025-09-10")]);

    private static Instant Midnight(string date) => At(date + " 00:00");

    [Fact]
    public void Handling_clock_lists_reminder_at_half_time_yellow_at_5_working_days_orange_at_1_and_due()
    {
        var state = Fold(AcceptedOn0910);
        var timers = Decider.Timers(state).Where(t => t.Key.StartsWith("handling:", StringComparison.Ordinal)).ToDictionary(t => t.Key);

        Assert.Equal(At("2025-10-11 12:00"), timers["handling:remind"].DueAt);   // half of 09-11 00:00 .. 11-11 00:00
        Assert.Equal(Midnight("2025-11-04"), timers["handling:warn"].DueAt);     // 5 working days left: 11-04..07, 11-10
        Assert.Equal(Midnight("2025-11-08"), timers["handling:critical"].DueAt); // after Fri 11-07 only Mon 11-10 is left
        Assert.Equal(Midnight("2025-11-11"), timers["handling:due"].DueAt);
        Assert.All(timers.Values, t => Assert.Equal(1, t.Generation));
    }

    [Theory]
    [InlineData("2025-10-01 10:00", Light.Green)]
    [InlineData("2025-11-03 23:59", Light.Green)]
    [InlineData("2025-11-04 00:00", Light.Yellow)]
    [InlineData("2025-11-07 12:00", Light.Yellow)]
    [InlineData("2025-11-08 00:00", Light.Orange)]
    [InlineData("2025-11-10 23:59", Light.Orange)]
    [InlineData("2025-11-11 00:00", Light.Red)]
    public void Lights_follow_the_thresholds(string at, Light light)
    {
        var clock = Fold(AcceptedOn0910).Clock(ClockNames.Handling)!;
        Assert.Equal(light, clock.LightAt(At(at)));
        Assert.Equal(light, ClockViews.Of(LegalDays, clock, At(at)).Light);
    }

    [Fact]
    public void The_clock_view_explains_the_deadline_and_counts_down()
    {
        var view = ClockViews.Of(LegalDays, Fold(AcceptedOn0910).Clock(ClockNames.Handling)!, At("2025-11-04 10:00"));

        Assert.Equal(5, view.WorkingDaysLeft);
        Assert.Equal(Midnight("2025-11-11") - At("2025-11-04 10:00"), view.Remaining);
        Assert.Contains("周末", view.Explanation.RolledBecause, StringComparison.Ordinal);
        Assert.Contains(view.Explanation.Lines, l => l.Contains("第三十四条", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_threshold_fires_once_with_its_audience_and_urgency()
    {
        var state = Fold(AcceptedOn0910);
        var expected = new (string Key, Type Event, AlertUrgency Urgency, string[] Roles)[]
        {
            ("handling:remind", typeof(ClockReminderSent), AlertUrgency.Routine, ["handling-officer"]),
            ("handling:warn", typeof(ClockWarningRaised), AlertUrgency.Routine, ["handling-officer", "agency-head"]),
            ("handling:critical", typeof(ClockCriticalRaised), AlertUrgency.Routine, ["handling-officer", "agency-head", "supervisor"]),
            ("handling:due", typeof(ClockOverdue), AlertUrgency.Urgent, ["agency-head", "supervisor", "leader"]),
        };
        foreach (var (key, type, urgency, roles) in expected)
        {
            var timer = Assert.Single(Decider.Timers(state), t => t.Key == key);
            var fired = Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt));
            var decision = Decider.Decide(state, fired, Ctx(timer.DueAt, Actors.System));
            var e = Assert.Single(decision.Events);
            Assert.IsType(type, e);

            var next = Decider.Evolve(state, e);
            var alert = Assert.Single(Decider.Effects(state, e, next, new EffectContext(CaseId, 9, timer.DueAt)).OfType<RaiseAlert>()).Alert;
            Assert.Equal(urgency, alert.Urgency);
            Assert.Equal(roles, alert.To.Select(a => a.Role));
            Assert.DoesNotContain("张三", alert.Subject + alert.Body, StringComparison.Ordinal);

            // Redelivery of the same firing does nothing; the timer is no longer listed.
            Assert.Empty(Decider.Decide(next, fired, Ctx(timer.DueAt, Actors.System)).Events);
            Assert.DoesNotContain(Decider.Timers(next), t => t.Key == key);
            state = next;
        }

        Assert.Equal(ClockLevel.Overdue, state.Clock(ClockNames.Handling)!.Reached);
    }

    [Fact]
    public void After_an_extension_the_old_generation_is_stale_and_new_timers_are_listed()
    {
        var state = Fold(AcceptedOn0910);
        var oldDue = Assert.Single(Decider.Timers(state), t => t.Key == "handling:due");

        var extended = Given([.. AcceptedOn0910]).When(new ApproveExtension(Head, 30, "情况复杂", D("2025-11-05")), "2025-11-05").After;
        var newDue = Assert.Single(Decider.Timers(extended), t => t.Key == "handling:due");

        Assert.Equal(2, newDue.Generation);
        Assert.Equal(Midnight("2025-12-10"), newDue.DueAt);
        var stale = Decider.Decide(extended, Decider.OnTimer(new TimerFired(oldDue.Key, oldDue.Generation, oldDue.DueAt)), Ctx(oldDue.DueAt, Actors.System));
        Assert.False(stale.IsRejected);
        Assert.Empty(stale.Events);

        // The light went back to green: 35 days were left on 11-05.
        Assert.Equal(Light.Green, extended.Clock(ClockNames.Handling)!.LightAt(At("2025-11-05 12:00")));
    }

    [Fact]
    public void A_short_clock_warns_at_a_third_of_its_working_days()
    {
        var state = Fold(Run(Registered)); // routing 2025-09-10 → 09-25: 11 working days
        var timers = Decider.Timers(state).ToDictionary(t => t.Key);

        // round(11 / 3) = 4 working days left → after 09-19 (Fri): 09-22, 23, 24, 25.
        Assert.Equal(Midnight("2025-09-20"), timers["routing:warn"].DueAt);
        Assert.Equal(Midnight("2025-09-25"), timers["routing:critical"].DueAt);
    }

    [Fact]
    public void Overdue_on_a_bureau_clock_alerts_its_supervisor_and_leader_not_agency_roles()
    {
        var state = Fold(Run(Registered));
        var due = Assert.Single(Decider.Timers(state), t => t.Key == "routing:due");
        var e = Assert.Single(Decider.Decide(state, Decider.OnTimer(new TimerFired(due.Key, due.Generation, due.DueAt)), Ctx(due.DueAt)).Events);
        var alert = Assert.Single(Decider.Effects(state, e, Decider.Evolve(state, e), new EffectContext(CaseId, 3, due.DueAt)).OfType<RaiseAlert>()).Alert;

        Assert.Contains(new AlertAudience("supervisor", Bureau), alert.To);
        Assert.Contains(new AlertAudience("leader", "ca-gov"), alert.To);
    }

    [Fact]
    public void Windows_have_only_a_lapse_timer()
    {
        var state = Fold(Run(Replied));
        Assert.Equal(["review-window:due"], Decider.Timers(state).Where(t => t.Key.StartsWith("review", StringComparison.Ordinal)).Select(t => t.Key));
    }

    [Fact]
    public void Read_model_row_carries_status_light_and_next_due_and_moves_partition_with_responsibility()
    {
        var then = Given([.. Run(Registered)]).When(new RouteCase(Registrar, RoutingKind.Forward, Agency), "2025-09-11");
        var effects = then.Effects();

        var delete = Assert.Single(effects.OfType<DeleteReadModel>());
        Assert.Equal((CaseRow.Model, Bureau, CaseId), (delete.Model, delete.PartitionKey, delete.RowKey));
        var row = effects.OfType<UpsertReadModel>().Last();
        Assert.Equal((Agency, CaseId), (row.PartitionKey, row.RowKey));
        Assert.Equal("Routed", row.Values[CaseRow.Status]);
        Assert.Equal("Green", row.Values[CaseRow.Light]);
        Assert.Equal("2025-09-18", row.Values[CaseRow.NextDueDate]); // the objection window ends first
        Assert.Equal(ClockNames.Acceptance, row.Values[CaseRow.DutyClock]); // the agency's duty: accept within 15 days
        Assert.DoesNotContain(row.Values.Values, v => v is string s && (s.Contains("张三", StringComparison.Ordinal) || s.Contains(QueryCode, StringComparison.Ordinal)));
        Assert.All(row.Values.Values, v => Assert.True(v is null or string or bool or int or long or double or DateTimeOffset));
    }

    [Fact]
    public void Policy_migration_recomputes_running_clocks_on_a_new_generation()
    {
        var v1 = Supervision.Domain.Policy.PolicyCatalog.Default.Get(new("petition", "*", 1));
        var v2 = v1 with { Version = 2, Clocks = [.. v1.Clocks.Select(c => c.Name == "handling.complaint" ? c with { Days = 45 } : c)] };
        Assert.Equal(45, v2.Clock("handling.complaint").Days);
        var decider = new CaseDecider(LegalDays, Supervision.Domain.Policy.PolicyCatalog.Default.With(v2), OrgDemo);

        var given = Given([.. AcceptedOn0910]).With(decider);
        Assert.Equal(1, given.State.Policy!.Version); // pinned at registration
        var then = given.When(new MigratePolicy(Actors.System, 2), "2025-09-15").Accepted();

        Assert.Equal(2, then.After.Policy!.Version);
        var handling = Assert.Single(then.Events.OfType<ClockRescheduled>(), e => e.Clock.Name == ClockNames.Handling).Clock;
        Assert.Equal((45, 2), (handling.Days, handling.Generation));
        Assert.Equal(D("2025-10-27"), handling.DueDate); // 09-10 + 45 = 10-25 (Sat) → 10-27
        given.When(new MigratePolicy(Officer, 2), "2025-09-15").Rejected(RejectionKind.Forbidden);
        given.When(new MigratePolicy(Actors.System, 3), "2025-09-15").Rejected(RejectionKind.Validation);

        // A new case registered with this decider pins the latest version.
        Assert.Equal(2, Fold(Run(decider, Registered), decider).Policy!.Version);
    }

    [Fact]
    public void During_a_hearing_the_row_keeps_the_frozen_light_and_lists_no_duty_due()
    {
        // The canonical path with 转送 instead of 交办, so no bureau-set deadline is running.
        var forward = UnderReExamination.Select(s => s.Command is RouteCase r ? (r with { Kind = RoutingKind.Forward, AssignedDueDate = null }, s.At) : s);
        var events = Run([.. forward, (new StartHearing("c-gov-officer", D("2025-12-12")), "2025-12-12")]);
        var then = Given([.. events]).When(new ReportMajor("c-gov-officer", "听证期间情况紧急"), "2025-12-20");
        var row = then.Effects().OfType<UpsertReadModel>().Last().Values;

        Assert.Equal("Yellow", row[CaseRow.Light]); // on 12-12 the re-exam clock (due 12-15) had 1 working day more than orange
        Assert.Null(row[CaseRow.DutyDue]);
        Assert.Equal(false, row[CaseRow.Overdue]);
    }

    [Fact]
    public void A_late_registration_alerts_once_at_the_level_already_reached()
    {
        // Received 09-10, registered 09-24: the routing clock (due 09-25) passed its warning on 09-20.
        var state = Given().When(Register("2025-09-10"), "2025-09-24 12:00").Accepted().After;
        var keys = Decider.Timers(state).Select(t => t.Key).ToList();

        Assert.Equal(["routing:warn", "routing:critical", "routing:due"], keys);
        Assert.Equal(ClockLevel.Reminder, state.Clock(ClockNames.Routing)!.Reached);
    }
}
