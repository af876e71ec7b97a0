using NodaTime;

namespace Supervision.Domain.Orchestration;

/// <summary>
/// The contract every orchestration type implements (ARCHITECTURE.md §4.1): a pure state machine.
/// No I/O, no clock reads, no randomness — <c>now</c> and ids arrive in <see cref="DecisionContext"/>.
/// The runtime persists the events <see cref="Decide"/> returns, folds them with <see cref="Evolve"/>,
/// keeps exactly the wake-ups <see cref="Timers"/> lists as durable timers, and runs the <see cref="Effects"/> of each
/// event as activities.
/// </summary>
/// <typeparam name="TState">Immutable state; serialized as the instance snapshot.</typeparam>
/// <typeparam name="TCommand">Closed set of commands (polymorphic JSON); also what other instances send.</typeparam>
/// <typeparam name="TEvent">Closed set of past-tense events (polymorphic JSON); the audit trail.</typeparam>
public interface IDecider<TState, TCommand, TEvent>
    where TState : class
    where TCommand : class
    where TEvent : class
{
    /// <summary>Orchestration type name, part of every stored key. Never rename a type that has stored instances.</summary>
    string TypeName { get; }

    /// <summary>State of an instance that has no events yet.</summary>
    TState Initial { get; }

    /// <summary>
    /// Decides what happens. A command the state already satisfies returns <see cref="Decision{TEvent}.None"/>,
    /// not a rejection: redelivery is normal in a queue-driven system (STYLE.md).
    /// </summary>
    Decision<TEvent> Decide(TState state, TCommand command, DecisionContext context);

    /// <summary>Folds one event into the state. Must be total over every event ever stored (old versions too).</summary>
    TState Evolve(TState state, TEvent @event);

    /// <summary>
    /// The durable timers this state needs. The runtime keeps wake-ups for exactly these; a firing whose
    /// (<see cref="DurableTimer.Key"/>, <see cref="DurableTimer.Generation"/>) is no longer listed is stale and ignored.
    /// </summary>
    IReadOnlyList<DurableTimer> Timers(TState state);

    /// <summary>Turns a timer firing into the command the decider understands.</summary>
    TCommand OnTimer(TimerFired fired);

    /// <summary>Side effects implied by one event (alerts, messages to other instances, read-model rows).</summary>
    IReadOnlyList<Effect> Effects(TState before, TEvent @event, TState after, EffectContext context);
}

/// <summary>What a decision may know besides state and command. All of it is supplied by the runtime.</summary>
/// <param name="InstanceId">The instance being decided.</param>
/// <param name="MessageId">Id of the incoming message (idempotency key); deterministic ids derive from it.</param>
/// <param name="Now">
/// The legal "now". For a timer firing this is the timer's <b>due instant</b>, not the moment a worker got to it,
/// so sweep lateness never distorts the legal record (ARCHITECTURE.md §4.3).
/// </param>
/// <param name="Actor">Who issued the command (a person id, or <c>system</c> for timers and other instances).</param>
public sealed record DecisionContext(string InstanceId, string MessageId, Instant Now, string Actor);

/// <summary>Context for computing effects of one stored event.</summary>
/// <param name="InstanceId">The instance the event belongs to.</param>
/// <param name="Sequence">1-based sequence number of the event within the instance; read-model versions use it.</param>
/// <param name="Now">The decision's legal "now".</param>
public sealed record EffectContext(string InstanceId, long Sequence, Instant Now);

/// <summary>A durable timer the state needs.</summary>
/// <param name="Key">Stable name of the timer within the instance, e.g. <c>handling:warn</c>.</param>
/// <param name="DueAt">When it fires.</param>
/// <param name="Generation">
/// Generation of the deadline it serves (durabletask's ExecutionToken idiom). Rescheduling bumps it, so an old
/// wake-up that still fires is recognised as stale without having to find and delete it first.
/// </param>
public sealed record DurableTimer(string Key, Instant DueAt, int Generation);

/// <summary>A timer that came due.</summary>
public sealed record TimerFired(string Key, int Generation, Instant DueAt);
