namespace Supervision.Runtime;

/// <summary>A snapshot of one instance, as the API edge reads it.</summary>
public sealed record InstanceSnapshot<TState>(string Type, string InstanceId, long Version, TState State);

/// <summary>
/// What the API edge calls. <see cref="ExecuteAsync"/> decides inline (same write order and guarantees as a queued
/// message) so the caller gets the rejection or the new version at once; <see cref="EnqueueAsync"/> leaves it to the
/// workers. Message ids are the caller's idempotency keys: the same id is applied at most once.
/// </summary>
public sealed class OrchestrationClient(OrchestrationRegistry registry, DecisionEngine engine, InstanceStore store, RuntimeStorage storage)
{
    public Task<ExecutionResult> ExecuteAsync(string type, string instanceId, object command, string messageId, string actor, CancellationToken ct = default) =>
        engine.ExecuteAsync(new IncomingMessage(MessageKind.Command, type, instanceId, messageId, actor, Command: command), ct);

    public async Task EnqueueAsync(string type, string instanceId, object command, string messageId, string actor, CancellationToken ct = default)
    {
        var json = registry.Get(type).SerializeCommand(command);
        var queue = await storage.WorkQueueAsync();
        await queue.SendMessageAsync(WorkEnvelope.ForCommand(type, instanceId, messageId, actor, json).ToJson(), ct);
    }

    public async Task<InstanceSnapshot<TState>?> GetAsync<TState>(string type, string instanceId, CancellationToken ct = default)
        where TState : class
    {
        var o = registry.Get(type);
        var loaded = await store.LoadAsync(Keys.InstancePartition(type, instanceId), ct);
        return loaded is null ? null : new InstanceSnapshot<TState>(type, instanceId, loaded.Version, (TState)o.DeserializeState(loaded.StateJson));
    }
}
