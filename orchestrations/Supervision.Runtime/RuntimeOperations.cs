using Supervision.Domain.Orchestration;

namespace Supervision.Runtime;

/// <summary>A wake-up the instance's snapshot lists, and whether its index row still exists (false once swept).</summary>
public sealed record PendingWakeUp(string TimerKey, int Generation, DateTimeOffset DueAt, string PartitionKey, string RowKey, bool RowExists);

/// <summary>
/// Operator tools (docs/runtime.md "Operating it"): an instance's events and wake-ups, read-model rebuilds from the
/// event rows, and the dead-letter list with replay.
/// </summary>
public sealed class RuntimeOperations(
    OrchestrationRegistry registry, InstanceStore store, WakeUpIndex wakeUps, ReadModelWriter readModels, DeadLetters deadLetters, RuntimeStorage storage)
{
    public async Task<IReadOnlyList<StoredEvent>> ListEventsAsync(string type, string instanceId, CancellationToken ct = default)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in store.ReadEventsAsync(Keys.InstancePartition(type, instanceId), ct))
        {
            list.Add(e);
        }

        return list;
    }

    public async Task<IReadOnlyList<PendingWakeUp>> ListWakeUpsAsync(string type, string instanceId, CancellationToken ct = default)
    {
        var loaded = await store.LoadAsync(Keys.InstancePartition(type, instanceId), ct);
        var list = new List<PendingWakeUp>();
        foreach (var w in loaded?.WakeUps ?? [])
        {
            list.Add(new PendingWakeUp(w.Key, w.Generation, new DateTimeOffset(w.DueTicks, TimeSpan.Zero), w.PartitionKey, w.RowKey,
                await wakeUps.ExistsAsync(w.PartitionKey, w.RowKey, ct)));
        }

        return list;
    }

    public Task<IReadOnlyList<OutboxRow>> ListOutboxAsync(string type, string instanceId, CancellationToken ct = default) =>
        store.ReadOutboxAsync(Keys.InstancePartition(type, instanceId), ct);

    /// <summary>
    /// Folds the instance's events from the start and re-applies every read-model effect they imply. Version guards
    /// make this safe while the instance is live: nothing older than what is stored overwrites it.
    /// </summary>
    /// <returns>Read-model writes applied.</returns>
    public async Task<int> RebuildReadModelsAsync(string type, string instanceId, CancellationToken ct = default)
    {
        var o = registry.Get(type);
        var state = o.Initial;
        var written = 0;
        await foreach (var stored in store.ReadEventsAsync(Keys.InstancePartition(type, instanceId), ct))
        {
            var e = o.DeserializeEvent(stored.Data);
            var after = o.Evolve(state, e);
            var now = NodaTime.Instant.FromDateTimeOffset(stored.At);
            foreach (var effect in o.Effects(state, e, after, new EffectContext(instanceId, stored.Sequence, now)))
            {
                written += effect switch
                {
                    UpsertReadModel u => await readModels.UpsertAsync(u.Model, u.PartitionKey, u.RowKey, u.Version, u.Values, ct) ? 1 : 0,
                    DeleteReadModel d => await readModels.DeleteAsync(d.Model, d.PartitionKey, d.RowKey, d.Version, ct) ? 1 : 0,
                    _ => 0,
                };
            }

            state = after;
        }

        return written;
    }

    /// <summary>Rebuilds the read models of every instance of one type. Drop the model's table first for a clean rebuild.</summary>
    public async Task<int> RebuildAllReadModelsAsync(string type, CancellationToken ct = default)
    {
        var ids = new List<string>();
        await foreach (var (id, _) in store.ListInstancesAsync(type, ct))
        {
            ids.Add(id);
        }

        var total = 0;
        foreach (var id in ids)
        {
            total += await RebuildReadModelsAsync(type, id, ct);
        }

        return total;
    }

    /// <summary>Deletes a read model's table so a rebuild starts clean.</summary>
    public async Task DropReadModelAsync(string model, CancellationToken ct = default)
    {
        var t = await storage.ReadModelAsync(model);
        await foreach (var page in t.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: ct).AsPages())
        {
            await TableBatches.DeleteAsync(t, page.Values.Select(e => (e.PartitionKey, e.RowKey)), ct);
        }
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max = 1000, CancellationToken ct = default) => deadLetters.ListAsync(max, ct);

    public Task<bool> ReplayDeadLetterAsync(string id, CancellationToken ct = default) => deadLetters.ReplayAsync(id, ct);

    public Task<int> ReplayAllDeadLettersAsync(CancellationToken ct = default) => deadLetters.ReplayAllAsync(ct);

    public Task<int> ImportPoisonQueueAsync(CancellationToken ct = default) => deadLetters.ImportPoisonQueueAsync(ct);
}
