using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>
/// One decision of a pure decider as the engine records it: <c>Decide</c>, then <c>Evolve</c> and <c>Effects</c> per
/// event, with the deterministic effect ids <c>{type}/{instance}/{seq}/{i}</c> (an alert that names its own id keeps it).
/// The same code runs in the legacy orchestrator (on the orchestration thread) and in the lean
/// <see cref="ActivityNames.Decide"/> activity.
/// </summary>
public static class DecisionMaker
{
    public static DecisionRecord Make(
        IOrchestration decider, EffectCodec codec, string type, string instanceId, object state, long version, CommandEnvelope envelope, object? command) =>
        MakeWithState(decider, codec, type, instanceId, state, version, envelope, command).Record;

    /// <summary>The decision record and the state after it (the state given when nothing was applied).</summary>
    public static (DecisionRecord Record, object After) MakeWithState(
        IOrchestration decider, EffectCodec codec, string type, string instanceId, object state, long version, CommandEnvelope envelope, object? command)
    {
        var at = NodaTime.Instant.FromDateTimeOffset(envelope.At);
        RejectionData? rejected = null;
        Decision<object> decision;
        try
        {
            command ??= decider.DeserializeCommand(envelope.Command);
            decision = decider.Decide(state, command, new DecisionContext(instanceId, envelope.CommandId, at, envelope.Actor));
        }
        catch (System.Text.Json.JsonException e)
        {
            // The API validates before raising; this guards a malformed message from another orchestration.
            decision = Decision<object>.Reject(Rejection.Invalid("unknown", "-", "the command could not be read: " + e.Message));
        }

        if (decision.Rejection is { } r)
        {
            rejected = new RejectionData(r.Kind.ToString(), r.Command, r.From, r.Reason, r.To);
        }

        var events = new List<RecordedEvent>(decision.Events.Count);
        var effects = new List<EffectEnvelope>();
        var s = state;
        var seq = version;
        foreach (var e in decision.Events)
        {
            var after = decider.Evolve(s, e);
            seq++;
            events.Add(new RecordedEvent(seq, e.GetType().Name, decider.SerializeEvent(e)));
            var implied = decider.Effects(s, e, after, new EffectContext(instanceId, seq, at));
            for (var i = 0; i < implied.Count; i++)
            {
                var (kind, data) = codec.Encode(implied[i]);
                var id = implied[i] is RaiseAlert { AlertId: { } alertId } ? alertId : $"{type}/{instanceId}/{seq}/{i}";
                effects.Add(new EffectEnvelope(id, kind, data));
            }

            s = after;
        }

        var status = rejected is not null ? CommandStatus.Rejected : events.Count == 0 ? CommandStatus.Unchanged : CommandStatus.Applied;
        return (new DecisionRecord(
            type, instanceId, envelope.CommandId, envelope.Actor, envelope.At, status, seq,
            status == CommandStatus.Applied ? decider.SerializeState(s) : string.Empty, events, effects, rejected), status == CommandStatus.Applied ? s : state);
    }

    /// <summary>The command a timer's firing is decided as: its legal "now" is the due instant, its actor the system.</summary>
    public static (CommandEnvelope Envelope, object Command) TimerCommand(IOrchestration decider, string key, int generation, NodaTime.Instant due)
    {
        var command = decider.OnTimer(new TimerFired(key, generation, due));
        var envelope = new CommandEnvelope(
            $"timer:{key}:{generation}:{due.ToUnixTimeTicks()}", Actors.System, due.ToDateTimeOffset(), decider.SerializeCommand(command));
        return (envelope, command);
    }

    /// <summary>The earliest timer of a state (ties by key), or null.</summary>
    public static DurableTimer? Earliest(IReadOnlyList<DurableTimer> timers)
    {
        DurableTimer? first = null;
        foreach (var t in timers)
        {
            if (first is null || t.DueAt < first.DueAt || (t.DueAt == first.DueAt && string.CompareOrdinal(t.Key, first.Key) < 0))
            {
                first = t;
            }
        }

        return first;
    }
}
