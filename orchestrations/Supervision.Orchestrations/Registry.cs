using System.Text.Json;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>
/// One hosted orchestration type, seen without its generic parameters so the runtime can host any number of them.
/// Built by <see cref="OrchestrationRegistry"/> from an <see cref="IDecider{TState,TCommand,TEvent}"/> and the
/// <see cref="JsonSerializerOptions"/> its polymorphic state, command and event types need.
/// </summary>
public interface IOrchestration
{
    string TypeName { get; }

    JsonSerializerOptions JsonOptions { get; }

    object Initial { get; }

    Decision<object> Decide(object state, object command, DecisionContext context);

    object Evolve(object state, object @event);

    IReadOnlyList<DurableTimer> Timers(object state);

    object OnTimer(TimerFired fired);

    IReadOnlyList<Effect> Effects(object before, object @event, object after, EffectContext context);

    string SerializeState(object state);

    object DeserializeState(string json);

    string SerializeEvent(object @event);

    object DeserializeEvent(string json);

    string SerializeCommand(object command);

    object DeserializeCommand(string json);

    /// <summary>
    /// This decider bound to the reference data in force, awaited (no blocking): what the lean
    /// <see cref="ActivityNames.Decide"/> activity decides with. A decider without reference data returns itself.
    /// </summary>
    Task<IOrchestration> BindAsync(CancellationToken ct);
}

/// <summary>
/// A decider whose reference data (org directory, calendar) can change at run time: <see cref="BindAsync"/> awaits the
/// data in force and returns a decider bound to it, so an activity never reads storage synchronously.
/// </summary>
public interface IReferenceBoundDecider<TState, TCommand, TEvent>
    where TState : class
    where TCommand : class
    where TEvent : class
{
    Task<IDecider<TState, TCommand, TEvent>> BindAsync(CancellationToken ct);
}

internal sealed class Orchestration<TState, TCommand, TEvent>(IDecider<TState, TCommand, TEvent> decider, JsonSerializerOptions json) : IOrchestration
    where TState : class
    where TCommand : class
    where TEvent : class
{
    public string TypeName => decider.TypeName;

    public JsonSerializerOptions JsonOptions => json;

    public object Initial => decider.Initial;

    public Decision<object> Decide(object state, object command, DecisionContext context)
    {
        var d = decider.Decide((TState)state, As<TCommand>(command), context);
        return d.Rejection is { } r ? Decision<object>.Reject(r) : Decision<object>.Accept(d.Events.Cast<object>().ToArray());
    }

    public object Evolve(object state, object @event) => decider.Evolve((TState)state, (TEvent)@event);

    public IReadOnlyList<DurableTimer> Timers(object state) => decider.Timers((TState)state);

    public object OnTimer(TimerFired fired) => decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(object before, object @event, object after, EffectContext context) =>
        decider.Effects((TState)before, (TEvent)@event, (TState)after, context);

    public string SerializeState(object state) => JsonSerializer.Serialize((TState)state, json);

    public object DeserializeState(string text) =>
        JsonSerializer.Deserialize<TState>(text, json) ?? throw new JsonException($"{TypeName}: state JSON is null.");

    public string SerializeEvent(object @event) => JsonSerializer.Serialize((TEvent)@event, json);

    public object DeserializeEvent(string text) =>
        JsonSerializer.Deserialize<TEvent>(text, json) ?? throw new JsonException($"{TypeName}: event JSON is null.");

    public string SerializeCommand(object command) => JsonSerializer.Serialize(As<TCommand>(command), json);

    public object DeserializeCommand(string text) =>
        JsonSerializer.Deserialize<TCommand>(text, json) ?? throw new JsonException($"{TypeName}: command JSON is null.");

    public async Task<IOrchestration> BindAsync(CancellationToken ct) =>
        decider is IReferenceBoundDecider<TState, TCommand, TEvent> bound
            ? new Orchestration<TState, TCommand, TEvent>(await bound.BindAsync(ct), json)
            : this;

    private T As<T>(object value) where T : class =>
        value as T ?? throw new ArgumentException($"{TypeName} expects a {typeof(T).Name}, not a {value.GetType().Name}.", nameof(value));
}

/// <summary>A decider registration; hosts register one per type.</summary>
public sealed class OrchestrationRegistration(IOrchestration orchestration)
{
    public IOrchestration Orchestration { get; } = orchestration;

    public static OrchestrationRegistration For<TState, TCommand, TEvent>(IDecider<TState, TCommand, TEvent> decider, JsonSerializerOptions json)
        where TState : class
        where TCommand : class
        where TEvent : class => new(new Orchestration<TState, TCommand, TEvent>(decider, json));
}

/// <summary>Every orchestration type this host serves, by <see cref="IDecider{TState,TCommand,TEvent}.TypeName"/>.</summary>
public sealed class OrchestrationRegistry
{
    private readonly Dictionary<string, IOrchestration> byName = new(StringComparer.Ordinal);

    public OrchestrationRegistry(IEnumerable<OrchestrationRegistration> registrations)
    {
        foreach (var r in registrations)
        {
            if (!byName.TryAdd(r.Orchestration.TypeName, r.Orchestration))
            {
                throw new InvalidOperationException($"Orchestration type '{r.Orchestration.TypeName}' is registered twice.");
            }
        }
    }

    public IReadOnlyCollection<string> TypeNames => byName.Keys;

    public bool TryGet(string typeName, out IOrchestration orchestration) => byName.TryGetValue(typeName, out orchestration!);

    public IOrchestration Get(string typeName) =>
        byName.TryGetValue(typeName, out var o) ? o : throw new UnknownOrchestrationException(typeName);
}

/// <summary>A message names an orchestration type this host does not serve: it can never succeed here.</summary>
public sealed class UnknownOrchestrationException(string typeName)
    : InvalidOperationException($"Unknown orchestration type '{typeName}'.")
{
    public string TypeName { get; } = typeName;
}
