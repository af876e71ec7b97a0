using Supervision.Domain.Cases;
using Supervision.Orchestrations.Tests.Harness;

namespace Supervision.Orchestrations.Tests;

/// <summary>Durable timers at legal instants under the accelerated clock: overdue at the due instant, long and split timers, reschedules.</summary>
public sealed class CaseTimerTests
{
    [Fact]
    public async Task Handling_turns_red_at_the_due_instant_with_the_legal_record_there_and_an_urgent_alert()
    {
        await using var h = await CaseHarness.StartAsync();
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        await h.AppliedAsync(id, new AcceptCase("c-housing-officer"));
        var handling = (await h.StateAsync(id)).Clock("handling")!;
        var due = handling.DueInstant.ToDateTimeOffset();

        // An hour (legal) before the due instant: warned, not red.
        await h.UntilAsync(due - TimeSpan.FromHours(1) - TimeSpan.FromDays(1));
        var before = await h.EventsAsync(id);
        Assert.DoesNotContain(before, e => CaseHarness.Event(e) is ClockOverdue { Name: "handling" });

        var overdue = await h.EventuallyAsync(id, e => CaseHarness.Event(e) is ClockOverdue { Name: "handling" }, "handling overdue", TimeSpan.FromSeconds(30));

        // The legal record carries the due instant, not the moment a worker got to it; the alert is urgent, once.
        Assert.Equal(due, overdue.At);
        Assert.Equal(Domain.Cases.Actors.System, overdue.Actor);
        var data = Assert.IsType<ClockOverdue>(CaseHarness.Event(overdue));
        Assert.Equal(("handling", handling.Generation), (data.Name, data.Generation));
        Assert.Contains(before.Concat(await h.EventsAsync(id)), e => e.EventType == nameof(ClockWarningRaised));
        var alerts = await EventuallyAlertsAsync(h, id);
        var urgent = alerts.Where(a => a.Kind == "deadline.overdue").ToList();
        Assert.NotEmpty(urgent);
        Assert.All(urgent, a => Assert.Equal(Domain.Orchestration.AlertUrgency.Urgent, a.Urgency));
        Assert.Contains(urgent, a => a.Role == "agency-head" && a.UnitId == "c-housing");
        Assert.Equal(urgent.Count, urgent.Select(a => (a.Role, a.UnitId)).Distinct().Count());
        Assert.Equal(ClockLevel.Overdue, (await h.StateAsync(id)).Clock("handling")!.Reached);
    }

    [Fact]
    public async Task An_extended_90_day_deadline_fires_at_its_instant_through_split_timers_and_only_for_its_latest_generation()
    {
        // Four legal days per real second (the steps before the extension must land well inside the first 60 days),
        // and durable timers split at half a real second: the 90-day deadline is about 45 pieces.
        await using var h = await CaseHarness.StartAsync(speed: 4 * 86_400, maximumTimerInterval: TimeSpan.FromMilliseconds(500));
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        await h.AppliedAsync(id, new AcceptCase("c-housing-officer"));
        var first = (await h.StateAsync(id)).Clock("handling")!;

        var (_, byOfficer) = await h.SendAsync(id, new ApproveExtension("c-housing-officer", 30, "情况复杂", h.Today));
        Assert.Equal(CommandStatus.Rejected, byOfficer.Outcome!.Status);
        await h.AppliedAsync(id, new ApproveExtension("c-housing-head", 30, "情况复杂", h.Today));
        var extended = (await h.StateAsync(id)).Clock("handling")!;
        Assert.True(extended.Generation > first.Generation);
        Assert.True(extended.DueInstant > first.DueInstant);
        Assert.InRange(NodaTime.Period.Between(first.Trigger, extended.DueDate, NodaTime.PeriodUnits.Days).Days, 88, 95); // 60 + 30 days, as the calendar counts them
        var (_, again) = await h.SendAsync(id, new ApproveExtension("c-housing-head", 10, "再次延长", h.Today));
        Assert.Equal(CommandStatus.Rejected, again.Outcome!.Status);

        var overdue = await h.EventuallyAsync(id, e => CaseHarness.Event(e) is ClockOverdue { Name: "handling" }, "extended handling overdue", TimeSpan.FromSeconds(60));
        Assert.Equal(extended.DueInstant.ToDateTimeOffset(), overdue.At);
        Assert.Equal(extended.Generation, Assert.IsType<ClockOverdue>(CaseHarness.Event(overdue)).Generation);

        // The old generation's thresholds (its due instant passed 30 legal days before) never fired after the
        // reschedule: only those it had reached before (a slow machine may reach its reminder first) are in the trail.
        var events = await h.EventsAsync(id);
        var rescheduled = Assert.Single(events, e => CaseHarness.Event(e) is ClockRescheduled { Clock.Name: "handling" });
        var handlingTimers = events.Select(e => (Stored: e, Event: CaseHarness.Event(e))).Select(x => x.Event switch
        {
            ClockReminderSent c => (x.Stored, c.Name, c.Generation, Level: "reminder"),
            ClockWarningRaised c => (x.Stored, c.Name, c.Generation, Level: "warning"),
            ClockCriticalRaised c => (x.Stored, c.Name, c.Generation, Level: "critical"),
            ClockOverdue c => (x.Stored, c.Name, c.Generation, Level: "overdue"),
            _ => default,
        }).Where(t => t.Name == "handling").ToList();
        Assert.All(handlingTimers.Where(t => t.Generation != extended.Generation), t => Assert.True(t.Stored.Sequence < rescheduled.Sequence && t.Stored.At <= rescheduled.At));
        Assert.All(handlingTimers.Where(t => t.Stored.Sequence > rescheduled.Sequence), t => Assert.Equal(extended.Generation, t.Generation));
        Assert.Single(handlingTimers, t => t.Level == "overdue");
        Assert.Equal(handlingTimers.Count, handlingTimers.Select(t => (t.Generation, t.Level)).Distinct().Count());
    }

    private static async Task<IReadOnlyList<MailboxItem>> EventuallyAlertsAsync(CaseHarness h, string id)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var items = (await h.Mailbox.ListAsync()).Where(m => m.SourceInstanceId == id).ToList();
            if (items.Any(m => m.Kind == "deadline.overdue") || started.Elapsed > TimeSpan.FromSeconds(20))
            {
                return items;
            }

            await Task.Delay(50);
        }
    }
}
