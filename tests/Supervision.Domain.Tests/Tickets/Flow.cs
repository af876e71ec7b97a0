using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>
/// Drives one orchestration instance the way the runtime does: decide, fold accepted events, compute their effects,
/// fire listed timers at their due instant. Given(events) is the constructor's history; When is <see cref="Do"/>.
/// </summary>
public sealed class Flow<TState, TCommand, TEvent>(IDecider<TState, TCommand, TEvent> decider, string instanceId, IEnumerable<TEvent>? given = null)
    where TState : class
    where TCommand : class
    where TEvent : class
{
    public TState State { get; private set; } = (given ?? []).Aggregate(decider.Initial, decider.Evolve);

    public List<TEvent> History { get; } = [.. given ?? []];

    /// <summary>Effects of the events of the last accepted decision.</summary>
    public List<Effect> Effects { get; } = [];

    public Decision<TEvent> Last { get; private set; } = Decision<TEvent>.None;

    public Decision<TEvent> Do(TCommand command, Instant at)
    {
        Last = decider.Decide(State, command, new DecisionContext(instanceId, $"m-{History.Count}", at, "test"));
        Effects.Clear();
        foreach (var e in Last.Events)
        {
            var next = decider.Evolve(State, e);
            History.Add(e);
            Effects.AddRange(decider.Effects(State, e, next, new EffectContext(instanceId, History.Count, at)));
            State = next;
        }

        return Last;
    }

    /// <summary>Does and asserts the command was accepted with at least one event.</summary>
    public IReadOnlyList<TEvent> Ok(TCommand command, Instant at)
    {
        var d = Do(command, at);
        Assert.False(d.IsRejected, d.Rejection?.ToString());
        Assert.NotEmpty(d.Events);
        return d.Events;
    }

    public Rejection Refused(TCommand command, Instant at, RejectionKind kind)
    {
        var d = decider.Decide(State, command, new DecisionContext(instanceId, "m-refused", at, "test"));
        Assert.True(d.IsRejected, $"expected {kind}, got {string.Join(", ", d.Events.Select(e => e.GetType().Name))}");
        Assert.Equal(kind, d.Rejection!.Kind);
        return d.Rejection;
    }

    public DurableTimer Timer(string key) => Assert.Single(decider.Timers(State), t => t.Key == key);

    /// <summary>Fires the listed timer <paramref name="key"/> at its due instant.</summary>
    public Decision<TEvent> Fire(string key)
    {
        var t = Timer(key);
        return Do(decider.OnTimer(new TimerFired(t.Key, t.Generation, t.DueAt)), t.DueAt);
    }

    /// <summary>The earliest listed timer of a clock (its next threshold).</summary>
    public static string NextKey(IDecider<TState, TCommand, TEvent> decider, TState state, string clock) =>
        decider.Timers(state).Where(t => t.Key.StartsWith(clock + ":", StringComparison.Ordinal)).OrderBy(t => t.DueAt).First().Key;

    public IEnumerable<Alert> Alerts => Effects.OfType<RaiseAlert>().Select(a => a.Alert);

    public IEnumerable<T> Messages<T>() => Effects.OfType<SendMessage>().Select(m => m.Command).OfType<T>();
}
