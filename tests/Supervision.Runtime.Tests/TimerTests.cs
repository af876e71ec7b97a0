using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>Durable timers on the virtual clock: long horizons, generations, order, lateness-free legal time.</summary>
public sealed class TimerTests
{
    private static Instant At(TimeSpan fromStart) => Instant.FromDateTimeOffset(RuntimeHarness.Start + fromStart);

    [Fact]
    public async Task A_timer_90_simulated_days_ahead_fires_at_its_due_instant_and_not_before()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var due = RuntimeHarness.Start.AddDays(90).AddHours(3).AddMinutes(17);
        await h.SendAsync("long", new SetDeadline(Instant.FromDateTimeOffset(due), 1), "set");

        h.Clock.SetUtcNow(due.AddSeconds(-1));
        await h.DrainAsync();
        Assert.Equal("pending", (await h.StateAsync("long"))!.Status);

        // A sweep 40 s late still records the due instant as the legal moment the deadline passed.
        h.Clock.SetUtcNow(due.AddSeconds(40));
        await h.DrainAsync();
        var state = (await h.StateAsync("long"))!;
        Assert.Equal(("fired", 1), (state.Status, state.Fires));
        var fired = (await h.Ops.ListEventsAsync(DeadlineDecider.Type, "long")).Single(e => e.EventType == nameof(DeadlineFired));
        Assert.Equal(due, fired.At);
        Assert.Contains(due.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), fired.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timer_rescheduled_twice_fires_once_for_the_latest_generation()
    {
        using var h = await RuntimeHarness.CreateAsync();
        await h.SendAsync("r", new SetDeadline(At(TimeSpan.FromDays(5)), 1), "s1");
        await h.SendAsync("r", new SetDeadline(At(TimeSpan.FromDays(3)), 2), "s2");
        await h.SendAsync("r", new SetDeadline(At(TimeSpan.FromDays(8)), 3), "s3");
        var wakeUps = await h.Ops.ListWakeUpsAsync(DeadlineDecider.Type, "r");
        Assert.Equal(3, Assert.Single(wakeUps).Generation);

        await h.AdvanceAsync(TimeSpan.FromDays(10), TimeSpan.FromHours(12));
        var state = (await h.StateAsync("r"))!;
        Assert.Equal((1, 3), (state.Fires, state.FiredGeneration));
        var events = await h.Ops.ListEventsAsync(DeadlineDecider.Type, "r");
        Assert.Equal(RuntimeHarness.Start.AddDays(8), Assert.Single(events, e => e.EventType == nameof(DeadlineFired)).At);
        Assert.Single(await h.Mailbox.ListAsync("supervisor", "unit-1"));
    }

    [Fact]
    public async Task A_firing_for_an_older_generation_is_stale_and_changes_nothing()
    {
        using var h = await RuntimeHarness.CreateAsync();
        await h.SendAsync("g", new SetDeadline(At(TimeSpan.FromDays(1)), 1), "s1");
        await h.SendAsync("g", new SetDeadline(At(TimeSpan.FromDays(2)), 2), "s2");
        h.Clock.Advance(TimeSpan.FromDays(3));

        var staleTimer = new WorkEnvelope
        {
            Kind = MessageKind.Timer,
            Type = DeadlineDecider.Type,
            InstanceId = "g",
            MessageId = WorkEnvelope.TimerMessageId(DeadlineDecider.TimerKey, 1),
            TimerKey = DeadlineDecider.TimerKey,
            Generation = 1,
            DueAt = At(TimeSpan.FromDays(1)),
        };
        Assert.Equal(WorkOutcome.Stale, await h.Processor.ProcessAsync(new WorkMessage("q1", staleTimer.ToJson(), 1), CancellationToken.None));
        Assert.Equal(2, (await h.Ops.ListEventsAsync(DeadlineDecider.Type, "g")).Count);

        var current = staleTimer with { MessageId = WorkEnvelope.TimerMessageId(DeadlineDecider.TimerKey, 2), Generation = 2 };
        Assert.Equal(WorkOutcome.Applied, await h.Processor.ProcessAsync(new WorkMessage("q2", current.ToJson(), 1), CancellationToken.None));
        Assert.Equal(WorkOutcome.Stale, await h.Processor.ProcessAsync(new WorkMessage("q3", current.ToJson(), 2), CancellationToken.None));
        Assert.Equal(1, (await h.StateAsync("g"))!.Fires);
    }

    [Fact]
    public async Task Timers_months_apart_fire_in_order_each_on_its_own_simulated_day()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var days = new[] { 75, 12, 40, 90, 3 };
        for (var i = 0; i < days.Length; i++)
        {
            await h.SendAsync("o" + i, new SetDeadline(At(TimeSpan.FromDays(days[i]) + TimeSpan.FromHours(9)), 1), "set");
        }

        var firedOn = new Dictionary<string, int>();
        for (var day = 1; day <= 91; day++)
        {
            h.Clock.SetUtcNow(RuntimeHarness.Start.AddDays(day).AddHours(12));
            await h.DrainAsync();
            for (var i = 0; i < days.Length; i++)
            {
                if (!firedOn.ContainsKey("o" + i) && (await h.StateAsync("o" + i))!.Status == "fired")
                {
                    firedOn["o" + i] = day;
                }
            }
        }

        Assert.Equal(days, Enumerable.Range(0, days.Length).Select(i => firedOn["o" + i]));
    }

    [Fact]
    public async Task A_cancelled_timer_never_fires_and_its_read_model_row_is_deleted()
    {
        using var h = await RuntimeHarness.CreateAsync();
        await h.SendAsync("c", new SetDeadline(At(TimeSpan.FromDays(1)), 1), "s1");
        await h.SendAsync("c", new CancelDeadline(), "cancel");
        Assert.Empty(await h.Ops.ListWakeUpsAsync(DeadlineDecider.Type, "c"));
        await h.AdvanceAsync(TimeSpan.FromDays(2), TimeSpan.FromDays(1));
        Assert.Equal(("cancelled", 0), ((await h.StateAsync("c"))!.Status, (await h.StateAsync("c"))!.Fires));
    }
}
