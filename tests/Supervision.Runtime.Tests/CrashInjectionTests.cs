using System.Text.Json;
using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>
/// Kills processing after each write step (ARCHITECTURE.md §4.3), restarts the runtime over the same storage, and
/// checks it converges to exactly the state of an uninterrupted run: no lost timer, no effect applied twice.
/// </summary>
public sealed class CrashInjectionTests
{
    /// <summary>x (partner y) and y (partner x) get deadlines; x is rescheduled; both fire; each notifies the other.</summary>
    private static async Task<string> RunScenarioAsync(RuntimeHarness h, Func<Task<RuntimeHarness>>? restart)
    {
        var live = h;
        async Task StepAsync(Func<RuntimeHarness, Task> step)
        {
            try
            {
                await step(live);
            }
            catch (SimulatedCrashException) when (restart is not null)
            {
                // The process died here. A fresh one over the same storage picks up what is left, and the caller
                // retries its request with the same message id (a drain step simply runs again).
                live = await restart();
                await step(live);
            }
        }

        var start = RuntimeHarness.Start;
        await StepAsync(r => r.SendAsync("x", new SetDeadline(Instant.FromDateTimeOffset(start.AddDays(20)), 1, "y"), "x1"));
        await StepAsync(r => r.SendAsync("y", new SetDeadline(Instant.FromDateTimeOffset(start.AddDays(30)), 1, "x"), "y1"));
        await StepAsync(r => r.SendAsync("x", new SetDeadline(Instant.FromDateTimeOffset(start.AddDays(25)), 2, "y"), "x2"));
        for (var day = 0; day < 40; day += 5)
        {
            h.Clock.Advance(TimeSpan.FromDays(5));
            await StepAsync(r => r.DrainAsync());

            // Past the safety-net delay, so whatever a crash left in an outbox is dispatched before the next deadline.
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            await StepAsync(r => r.DrainAsync());
        }
        return await DescribeAsync(live);
    }

    private static async Task<string> DescribeAsync(RuntimeHarness h)
    {
        var parts = new List<object>();
        foreach (var id in new[] { "x", "y" })
        {
            var events = await h.Ops.ListEventsAsync(DeadlineDecider.Type, id);
            parts.Add(new
            {
                id,
                state = await h.StateAsync(id),
                // Message-driven events record the processing time, which a crash legitimately delays; timer-driven ones
                // carry their due instant in the data.
                events = events.Select(e => $"{e.Sequence}:{e.EventType}:{e.Data}"),
                outbox = (await h.Ops.ListOutboxAsync(DeadlineDecider.Type, id)).Count,
                wakeUps = (await h.Ops.ListWakeUpsAsync(DeadlineDecider.Type, id)).Count,
            });
        }

        var mailbox = (await h.Mailbox.ListAsync()).Select(m => m.AlertId).Order(StringComparer.Ordinal);
        var rm = await h.Storage.ReadModelAsync(DeadlineDecider.ReadModel);
        var rows = rm.Query<Azure.Data.Tables.TableEntity>().Select(e => $"{e.RowKey}:{e.GetString("Status")}:{e.GetInt32("Generation")}:{e.GetInt64(ReadModelWriter.VersionProperty)}").Order(StringComparer.Ordinal);
        return JsonSerializer.Serialize(new { parts, mailbox, rows, deadLetters = (await h.Ops.ListDeadLettersAsync()).Count }, DeadlineDecider.Json);
    }

    [Theory]
    [InlineData(FaultPoint.AfterWakeUpsWritten, 1)]
    [InlineData(FaultPoint.AfterWakeUpsWritten, 4)]
    [InlineData(FaultPoint.AfterCommit, 3)]
    [InlineData(FaultPoint.AfterCommit, 4)]
    [InlineData(FaultPoint.AfterOutboxDispatch, 1)]
    [InlineData(FaultPoint.AfterOutboxDispatch, 2)]
    [InlineData(FaultPoint.AfterOutboxDispatch, 3)]
    [InlineData(FaultPoint.AfterWakeUpCleanup, 3)]
    [InlineData(FaultPoint.AfterWakeUpCleanup, 4)]
    [InlineData(FaultPoint.AfterSweepEnqueued, 1)]
    public async Task After_a_crash_at_any_write_step_a_restarted_runtime_reaches_the_uninterrupted_final_state(FaultPoint point, int occurrence)
    {
        using var clean = await RuntimeHarness.CreateAsync();
        var expected = await RunScenarioAsync(clean, restart: null);

        var crash = new CrashAt(point, occurrence);
        using var crashing = await RuntimeHarness.CreateAsync(faults: crash);
        var restarts = new List<RuntimeHarness>();
        var actual = await RunScenarioAsync(crashing, async () =>
        {
            var r = await RuntimeHarness.CreateAsync(prefix: crashing.Prefix, clock: crashing.Clock);
            restarts.Add(r);
            return r;
        });
        foreach (var r in restarts)
        {
            r.Dispose();
        }

        Assert.True(crash.Crashed, $"the scenario never reached {point} #{occurrence}");
        Assert.Equal(expected, actual);
        Assert.Contains("\"fires\":1", actual, StringComparison.Ordinal);
        Assert.Contains("\"notifications\":1", actual, StringComparison.Ordinal);
    }
}
