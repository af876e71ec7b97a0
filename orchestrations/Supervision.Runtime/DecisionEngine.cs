using Azure;
using Microsoft.Extensions.Options;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Runtime;

/// <summary>An incoming message, already parsed. <c>Command</c> is an already-built command (from <see cref="OrchestrationClient"/>); else <c>CommandJson</c> is read.</summary>
public sealed record IncomingMessage(
    MessageKind Kind, string Type, string InstanceId, string MessageId, string Actor,
    object? Command = null, string? CommandJson = null, string? TimerKey = null, int? Generation = null);

public enum ExecutionStatus
{
    Applied,
    Duplicate,
    Stale,
    Rejected,
}

/// <summary>What happened to one message; <c>Version</c> is the instance's last event sequence after the decision.</summary>
public sealed record ExecutionResult(ExecutionStatus Status, long Version, int EventCount, Rejection? Rejection = null);

/// <summary>Every attempt hit an ETag conflict; retrying later (queue redelivery) is the answer.</summary>
public sealed class ConcurrencyExhaustedException(string message) : Exception(message);

/// <summary>
/// Loads an instance, decides, and writes in the order of ARCHITECTURE.md §4.3:
/// (1) upsert the wake-ups the new state needs, plus a safety-net wake-up when outbox rows are left;
/// (2) commit events + snapshot + marker + outbox as one transaction guarded by the snapshot ETag (412 → reload and
/// decide again, bounded by <see cref="RuntimeOptions.MaxDecideAttempts"/>);
/// (3) dispatch the outbox and delete its rows; (4) delete wake-ups no longer needed.
/// </summary>
public sealed class DecisionEngine(
    OrchestrationRegistry registry, InstanceStore store, WakeUpIndex wakeUps, OutboxDispatcher outbox, EffectCodec codec,
    IFaultInjector faults, RuntimeMetrics metrics, TimeProvider clock, IOptions<RuntimeOptions> options)
{
    private readonly RuntimeOptions opts = options.Value;

    public async Task<ExecutionResult> ExecuteAsync(IncomingMessage message, CancellationToken ct)
    {
        var orchestration = registry.Get(message.Type);
        var pk = Keys.InstancePartition(message.Type, message.InstanceId);
        if (message.Kind == MessageKind.OutboxRetry)
        {
            var n = await outbox.DispatchPendingAsync(message.Type, message.InstanceId, ct);
            return new ExecutionResult(ExecutionStatus.Applied, 0, n);
        }

        for (var attempt = 1; attempt <= opts.MaxDecideAttempts; attempt++)
        {
            var loaded = await store.LoadAsync(pk, ct);
            var state = loaded is null ? orchestration.Initial : orchestration.DeserializeState(loaded.StateJson);
            var version = loaded?.Version ?? 0;
            object command;
            Instant now;
            WakeUpRef? firedRow = null;
            if (message.Kind == MessageKind.Timer)
            {
                var timer = orchestration.Timers(state).FirstOrDefault(t => t.Key == message.TimerKey && t.Generation == message.Generation);
                if (timer is null || timer.DueAt.ToDateTimeOffset() > clock.GetUtcNow())
                {
                    return new ExecutionResult(ExecutionStatus.Stale, version, 0);
                }

                command = orchestration.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt));
                now = timer.DueAt;
                firedRow = loaded?.WakeUps.FirstOrDefault(w => w.Key == timer.Key && w.Generation == timer.Generation);
                if (attempt == 1)
                {
                    metrics.Lateness(clock.GetUtcNow() - timer.DueAt.ToDateTimeOffset());
                }
            }
            else
            {
                command = message.Command ?? orchestration.DeserializeCommand(message.CommandJson ?? throw new InvalidOperationException("command message without payload"));
                now = Instant.FromDateTimeOffset(clock.GetUtcNow());
            }

            var decision = orchestration.Decide(state, command, new DecisionContext(message.InstanceId, message.MessageId, now, message.Actor));
            if (decision.Rejection is not null || decision.Events.Count == 0)
            {
                if (await store.IsAppliedAsync(pk, message.MessageId, ct))
                {
                    return new ExecutionResult(ExecutionStatus.Duplicate, version, 0);
                }

                return decision.Rejection is { } r
                    ? new ExecutionResult(ExecutionStatus.Rejected, version, 0, r)
                    : new ExecutionResult(ExecutionStatus.Applied, version, 0);
            }

            // Fold the events and collect the effects each implies.
            var events = new List<NewEvent>(decision.Events.Count);
            var outboxRows = new List<OutboxRow>();
            var s = state;
            var seq = version;
            foreach (var e in decision.Events)
            {
                var after = orchestration.Evolve(s, e);
                seq++;
                events.Add(new NewEvent(seq, e.GetType().Name, orchestration.SerializeEvent(e)));
                var effects = orchestration.Effects(s, e, after, new EffectContext(message.InstanceId, seq, now));
                for (var i = 0; i < effects.Count; i++)
                {
                    var (kind, data) = codec.Encode(effects[i]);
                    outboxRows.Add(new OutboxRow(Keys.OutboxRow(seq, i), seq, $"{message.Type}/{message.InstanceId}/{seq}/{i}", kind, data));
                }

                s = after;
            }

            // Wake-ups: keep rows of unchanged timers, write rows for new ones, delete the rest after the commit.
            var prior = loaded?.WakeUps ?? [];
            var next = new List<WakeUpRef>();
            var toUpsert = new List<WakeUpRow>();
            foreach (var t in orchestration.Timers(s))
            {
                var dueTicks = t.DueAt.ToDateTimeOffset().UtcTicks;
                var kept = prior.FirstOrDefault(p => p.Key == t.Key && p.Generation == t.Generation && p.DueTicks == dueTicks);
                if (kept is not null)
                {
                    next.Add(kept);
                }
                else
                {
                    var row = wakeUps.Create("timer", message.Type, message.InstanceId, t.Key, t.Generation, dueTicks, seq);
                    toUpsert.Add(row);
                    next.Add(row.ToRef());
                }
            }

            var toDelete = prior.Where(p => !next.Contains(p) && p != firedRow).Select(p => (p.PartitionKey, p.RowKey)).ToList();
            if (outboxRows.Count > 0)
            {
                var safety = wakeUps.Create("outbox", message.Type, message.InstanceId, WakeUpIndex.OutboxTimerKey, 0,
                    (clock.GetUtcNow() + opts.OutboxSafetyNetDelay).UtcTicks, seq);
                toUpsert.Add(safety);
                toDelete.Add((safety.PartitionKey, safety.RowKey));
            }

            // (1) wake-ups before the commit.
            await wakeUps.UpsertAsync(toUpsert, ct);
            await faults.OnAsync(FaultPoint.AfterWakeUpsWritten, pk, ct);
            await faults.OnAsync(FaultPoint.BeforeCommit, pk, ct);

            // (2) the instance transaction.
            try
            {
                await store.CommitAsync(pk, message.Type, message.InstanceId, loaded?.ETag, seq, orchestration.SerializeState(s), next,
                    message.MessageId, message.Actor, now.ToDateTimeOffset(), events, outboxRows, ct);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                if (await store.IsAppliedAsync(pk, message.MessageId, ct))
                {
                    return new ExecutionResult(ExecutionStatus.Duplicate, version, 0);
                }

                metrics.Conflict();
                continue;
            }

            await faults.OnAsync(FaultPoint.AfterCommit, pk, ct);

            // (3) the outbox, (4) stale wake-ups.
            await outbox.DispatchAsync(message.Type, message.InstanceId, pk, outboxRows, ct);
            await wakeUps.DeleteAsync(toDelete, ct);
            await faults.OnAsync(FaultPoint.AfterWakeUpCleanup, pk, ct);
            return new ExecutionResult(ExecutionStatus.Applied, seq, events.Count);
        }

        throw new ConcurrencyExhaustedException($"{opts.MaxDecideAttempts} attempts ended in ETag conflicts.");
    }
}
