using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>Poison and malformed messages end in the visible dead-letter list, and replay brings them back.</summary>
public sealed class DeadLetterTests
{
    [Fact]
    public async Task A_malformed_message_or_an_unknown_type_is_dead_lettered_at_once()
    {
        using var h = await RuntimeHarness.CreateAsync();
        Assert.Equal(WorkOutcome.DeadLettered, await h.Processor.ProcessAsync(new WorkMessage("q1", "{not json", 1), CancellationToken.None));
        var unknown = WorkEnvelope.ForCommand("no-such-type", "i", "m", "tester", "{}").ToJson();
        Assert.Equal(WorkOutcome.DeadLettered, await h.Processor.ProcessAsync(new WorkMessage("q2", unknown, 1), CancellationToken.None));

        var list = await h.Ops.ListDeadLettersAsync();
        Assert.Equal(["malformed", "unknown-type"], list.Select(d => d.Reason).Order(StringComparer.Ordinal));
        Assert.Contains(list, d => d.Body == "{not json" && d.QueueMessageId == "q1");
    }

    [Fact]
    public async Task A_failing_message_is_retried_until_the_dequeue_limit_then_dead_lettered_and_replay_applies_it_once()
    {
        var sink = new FlakyAlertSink();
        using var h = await RuntimeHarness.CreateAsync(configure: o => o.MaxDequeueCount = 3);
        using var failing = await CreateWithSinkAsync(h, sink);
        await failing.SendAsync("d", new SetDeadline(Instant.FromDateTimeOffset(RuntimeHarness.Start.AddHours(1)), 1), "set");
        h.Clock.Advance(TimeSpan.FromHours(2));
        await failing.Sweeper.SweepAsync(CancellationToken.None);
        var queue = await failing.Storage.WorkQueueAsync();
        var body = (await queue.ReceiveMessagesAsync(1)).Value.Single().Body.ToString();

        // The commit succeeds, the alert fails: the message is thrown back for redelivery, which finds the timer done.
        await Assert.ThrowsAsync<IOException>(() => failing.Processor.ProcessAsync(new WorkMessage("q", body, 1), CancellationToken.None));
        Assert.Equal(WorkOutcome.Stale, await failing.Processor.ProcessAsync(new WorkMessage("q", body, 2), CancellationToken.None));
        Assert.Equal(1, (await failing.StateAsync("d"))!.Fires);
        Assert.Single(await failing.Ops.ListOutboxAsync(DeadlineDecider.Type, "d"), o => o.Kind == "alert");

        // The safety-net wake-up retries the outbox, and keeps failing until it is dead-lettered.
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await failing.Sweeper.SweepAsync(CancellationToken.None);
        var retry = (await queue.ReceiveMessagesAsync(10)).Value.Select(m => m.Body.ToString()).Single(b => b.Contains("outbox-retry", StringComparison.Ordinal));
        await Assert.ThrowsAsync<IOException>(() => failing.Processor.ProcessAsync(new WorkMessage("r", retry, 1), CancellationToken.None));
        Assert.Equal(WorkOutcome.DeadLettered, await failing.Processor.ProcessAsync(new WorkMessage("r", retry, 3), CancellationToken.None));
        var dead = Assert.Single(await failing.Ops.ListDeadLettersAsync());
        Assert.Equal("poison", dead.Reason);
        Assert.Contains("IOException", dead.Detail, StringComparison.Ordinal);

        // The operator fixes the cause and replays: the alert arrives exactly once and the outbox is empty.
        await queue.ClearMessagesAsync();
        sink.Healthy = true;
        Assert.True(await failing.Ops.ReplayDeadLetterAsync(dead.Id));
        Assert.False(await failing.Ops.ReplayDeadLetterAsync(dead.Id));
        Assert.Equal(1, await failing.DrainAsync());
        Assert.Empty(await failing.Ops.ListDeadLettersAsync());
        Assert.Empty(await failing.Ops.ListOutboxAsync(DeadlineDecider.Type, "d"));
        Assert.Equal(1, sink.Delivered);
    }

    [Fact]
    public async Task Messages_on_the_hosts_poison_queue_are_moved_into_the_dead_letter_list()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var poison = h.Storage.QueueService.GetQueueClient(h.Storage.Options.WorkQueueName + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync("{\"v\":1}");
        Assert.Equal(1, await h.Ops.ImportPoisonQueueAsync());
        Assert.Equal("host-poison", Assert.Single(await h.Ops.ListDeadLettersAsync()).Reason);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static Task<RuntimeHarness> CreateWithSinkAsync(RuntimeHarness h, IAlertSink sink) =>
        RuntimeHarness.CreateAsync(prefix: h.Prefix, clock: h.Clock, configure: o => o.MaxDequeueCount = 3, alertSink: sink);

    private sealed class FlakyAlertSink : IAlertSink
    {
        private int delivered;

        public bool Healthy { get; set; }

        public int Delivered => delivered;

        public Task DeliverAsync(AlertDelivery delivery, CancellationToken cancellationToken)
        {
            if (!Healthy)
            {
                throw new IOException("mail gateway down");
            }

            Interlocked.Increment(ref delivered);
            return Task.CompletedTask;
        }
    }
}
