using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>Commit atomicity, the ETag guard with two writers, and idempotent message ids — against Azurite.</summary>
public sealed class InstanceStoreTests
{
    private static readonly Instant Later = Instant.FromDateTimeOffset(RuntimeHarness.Start.AddDays(10));

    [Fact]
    public async Task A_second_writer_that_loaded_the_same_snapshot_gets_412_reloads_and_both_commands_land()
    {
        var gate = new InterleaveOnce();
        using var a = await RuntimeHarness.CreateAsync(faults: gate);
        using var b = await RuntimeHarness.CreateAsync(prefix: a.Prefix, clock: a.Clock);
        await b.SendAsync("i1", new Ping(1), "m0");

        // Writer A loads version 1 and stops just before its commit; writer B commits version 2 meanwhile.
        var first = a.SendAsync("i1", new Ping(10), "mA");
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await b.SendAsync("i1", new Ping(100), "mB");
        gate.Release.SetResult();
        var firstResult = await first;

        Assert.Equal(ExecutionStatus.Applied, second.Status);
        Assert.Equal(ExecutionStatus.Applied, firstResult.Status);
        Assert.Equal(3, firstResult.Version);
        Assert.Equal(1, a.Metrics.Totals.GetValueOrDefault("conflict"));
        Assert.Equal(111, (await a.StateAsync("i1"))!.Pings);
        var events = await a.Ops.ListEventsAsync(DeadlineDecider.Type, "i1");
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(["m0", "mB", "mA"], events.Select(e => e.MessageId));
    }

    [Fact]
    public async Task Many_concurrent_writers_on_one_instance_lose_nothing_and_leave_no_gaps()
    {
        using var h = await RuntimeHarness.CreateAsync(configure: o => o.MaxDecideAttempts = 50);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => h.SendAsync("hot", new Ping(1), "p" + i)));
        Assert.Equal(16, (await h.StateAsync("hot"))!.Pings);
        var events = await h.Ops.ListEventsAsync(DeadlineDecider.Type, "hot");
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task The_same_message_id_is_applied_once()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var first = await h.SendAsync("i1", new Ping(5), "same");
        var again = await h.SendAsync("i1", new Ping(5), "same");
        var rejectedRedelivery = await h.SendAsync("i1", new Ping(-1), "same");

        Assert.Equal(ExecutionStatus.Applied, first.Status);
        Assert.Equal(ExecutionStatus.Duplicate, again.Status);
        Assert.Equal(ExecutionStatus.Duplicate, rejectedRedelivery.Status);
        Assert.Equal(5, (await h.StateAsync("i1"))!.Pings);
        Assert.Single(await h.Ops.ListEventsAsync(DeadlineDecider.Type, "i1"));
    }

    [Fact]
    public async Task A_rejection_writes_nothing_and_reports_the_rule()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var r = await h.SendAsync("i1", new Ping(0), "bad");
        Assert.Equal(ExecutionStatus.Rejected, r.Status);
        Assert.Equal("ping", r.Rejection!.Command);
        Assert.Null(await h.StateAsync("i1"));
    }

    [Fact]
    public async Task A_decision_too_large_for_one_transaction_is_refused_and_nothing_is_written()
    {
        using var h = await RuntimeHarness.CreateAsync();
        await h.SendAsync("big", new Ping(1), "m1");
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.SendAsync("big", new Burst(99), "m2"));
        Assert.Equal(1, (await h.StateAsync("big"))!.Pings);
        Assert.Single(await h.Ops.ListEventsAsync(DeadlineDecider.Type, "big"));

        // 98 events + snapshot + marker = 100 actions: the largest decision that fits.
        var ok = await h.SendAsync("big", new Burst(98), "m3");
        Assert.Equal(99, ok.Version);
    }

    [Fact]
    public async Task Events_snapshot_and_outbox_commit_together_and_the_outbox_empties_after_dispatch()
    {
        using var h = await RuntimeHarness.CreateAsync(faults: new CrashAt(FaultPoint.AfterCommit, occurrence: 2));
        await h.SendAsync("x", new SetDeadline(Later, 1, Partner: "y"), "set");
        h.Clock.Advance(TimeSpan.FromDays(10));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => h.DrainAsync());

        // Crashed right after the commit: the event, the snapshot and the three outbox rows exist together.
        var outbox = await h.Ops.ListOutboxAsync(DeadlineDecider.Type, "x");
        Assert.Equal(["alert", "upsert", "send"], outbox.Select(o => o.Kind));
        Assert.Equal("fired", (await h.StateAsync("x"))!.Status);
        Assert.Equal(2, (await h.Ops.ListEventsAsync(DeadlineDecider.Type, "x")).Count);

        using var restarted = await RuntimeHarness.CreateAsync(prefix: h.Prefix, clock: h.Clock);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await restarted.DrainAsync();
        Assert.Empty(await restarted.Ops.ListOutboxAsync(DeadlineDecider.Type, "x"));
        Assert.Equal(1, (await restarted.StateAsync("y"))!.Notifications);
    }

    private sealed class InterleaveOnce : IFaultInjector
    {
        private int done;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask OnAsync(FaultPoint point, string partitionKey, CancellationToken cancellationToken)
        {
            if (point == FaultPoint.BeforeCommit && partitionKey.EndsWith("|i1", StringComparison.Ordinal) && Interlocked.Exchange(ref done, 1) == 0)
            {
                Reached.SetResult();
                await Release.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
        }
    }
}
