using Microsoft.Extensions.Options;
using NodaTime;

namespace Supervision.Runtime;

/// <summary>
/// Moves due wake-ups to the work queue: claims them (so concurrent sweepers do not all send them), sends one message
/// each, then deletes their rows (the queue message is now the durable carrier; a crash in between only sends a
/// duplicate once the claim expires, which the worker sees as duplicate or stale).
/// </summary>
public sealed class Sweeper(
    RuntimeStorage storage, WakeUpIndex wakeUps, IFaultInjector faults, TimeProvider clock, IOptions<RuntimeOptions> options) : ISweeper
{
    private readonly RuntimeOptions opts = options.Value;

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var found = await wakeUps.QueryDueAsync(now, opts.MaxSweepBatch, cancellationToken);
        var unclaimed = found.Where(r => r.ClaimedUntilTicks <= now.UtcTicks).ToList();
        if (unclaimed.Count == 0)
        {
            return new SweepResult(0, false);
        }

        var due = await wakeUps.ClaimAsync(unclaimed, now + opts.SweepClaimTimeout, cancellationToken);

        var queue = await storage.WorkQueueAsync();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            var envelope = row.Kind == "outbox"
                ? new WorkEnvelope { Kind = MessageKind.OutboxRetry, Type = row.Type, InstanceId = row.InstanceId, MessageId = "outbox:" + row.RowKey }
                : new WorkEnvelope
                {
                    Kind = MessageKind.Timer,
                    Type = row.Type,
                    InstanceId = row.InstanceId,
                    MessageId = WorkEnvelope.TimerMessageId(row.TimerKey, row.Generation),
                    TimerKey = row.TimerKey,
                    Generation = row.Generation,
                    DueAt = Instant.FromDateTimeOffset(new DateTimeOffset(row.DueTicks, TimeSpan.Zero)),
                };
            await queue.SendMessageAsync(envelope.ToJson(), ct);
        });
        await faults.OnAsync(FaultPoint.AfterSweepEnqueued, string.Empty, cancellationToken);
        await wakeUps.DeleteAsync(due.Select(r => (r.PartitionKey, r.RowKey)), cancellationToken);
        return new SweepResult(due.Count, found.Count >= opts.MaxSweepBatch);
    }
}
