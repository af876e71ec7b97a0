using System.Text.Json.Serialization;

namespace Supervision.Orchestrations;

/// <summary>
/// A command for an orchestration, raised as the external event <see cref="DecisionOrchestrator.CommandEvent"/>.
/// <paramref name="CommandId"/> is the idempotency key (an API <c>Idempotency-Key</c>, an effect id, or
/// <c>timer:{key}:{generation}</c>); an id the orchestration has already decided is applied at most once.
/// </summary>
/// <param name="At">The command's recorded instant: its legal "now".</param>
/// <param name="Command">The command as JSON in its decider's own format (polymorphic <c>$type</c>).</param>
public sealed record CommandEnvelope(string CommandId, string Actor, DateTimeOffset At, string Command);

/// <summary>
/// The input of every decision orchestration, and what it carries across <c>ContinueAsNew</c>: the folded state (no
/// history replay needed after a restart), the clock mapping fixed at start, and the ids of recently decided commands.
/// </summary>
/// <param name="Type">The decider's type name (<c>case</c>, <c>ticket</c>, <c>joint</c>).</param>
/// <param name="State">The state as JSON; null for a new instance.</param>
/// <param name="Version">Sequence number of the last recorded event.</param>
/// <param name="Recent">Command ids decided recently (bounded), so a repeated raise is recognised without storage.</param>
/// <param name="First">The command that creates the instance (e.g. a registration).</param>
/// <param name="Format">The orchestrator path (<see cref="OrchestrationFormats"/>). Absent in inputs written before the
/// lean turn (0: legacy, the state travels in the input and each decision is echoed through history); every new start
/// and every <c>ContinueAsNew</c> writes <see cref="OrchestrationFormats.Lean"/>, whose input carries no state.</param>
/// <param name="Next">Lean format: the earliest timer of the state at <paramref name="Version"/> (null: none).</param>
public sealed record OrchestrationInput(
    string Type, ClockMapping Clock, string? State = null, long Version = 0, IReadOnlyList<string>? Recent = null, CommandEnvelope? First = null,
    int Format = OrchestrationFormats.Legacy, NextTimer? Next = null)
{
    /// <summary>The input of a new instance: always the current (lean) format.</summary>
    public static OrchestrationInput Start(string type, ClockMapping clock, CommandEnvelope first) =>
        new(type, clock, First: first, Format: OrchestrationFormats.Lean);
}

/// <summary>Versions of the orchestrator's history format (docs/decisions.md E13).</summary>
public static class OrchestrationFormats
{
    /// <summary>Decides in the orchestrator and records through <see cref="ActivityNames.RecordDecision"/> (the record echoed back).</summary>
    public const int Legacy = 0;

    /// <summary>Decides and records in one <see cref="ActivityNames.Decide"/> activity, which returns only a <see cref="DecideAnswer"/>.</summary>
    public const int Lean = 1;
}

/// <summary>A decider's timer as the lean orchestrator races it: the earliest of <c>Timers(state)</c>.</summary>
/// <param name="Due">The due instant (legal time).</param>
public sealed record NextTimer(string Key, int Generation, DateTimeOffset Due)
{
    /// <summary>The command id of its firing: <c>timer:{key}:{generation}:{dueTicks}</c> (as the legacy path names it).</summary>
    public string FiringId() => $"timer:{Key}:{Generation}:{NodaTime.Instant.FromDateTimeOffset(Due).ToUnixTimeTicks()}";
}

/// <summary>
/// The input of the <see cref="ActivityNames.Decide"/> activity: a command, or the timer that fired, for one instance
/// whose recorded version the orchestration holds. Activity inputs are not kept in the Durable Task history.
/// </summary>
public sealed record DecideRequest(string Type, string InstanceId, long BaseVersion, CommandEnvelope? Command = null, NextTimer? Timer = null);

/// <summary>
/// What the <see cref="ActivityNames.Decide"/> activity returns, and all the lean orchestrator keeps: the status, the
/// version after, the earliest timer of the state after, and the effects to run (id and kind; the payload is stored with
/// the decision, row <c>f|{effectId}</c>, and loaded by the effect's activity). Stored in the outcome row too, so a
/// re-executed activity answers the same from storage.
/// </summary>
/// <remarks>History keeps this answer once per turn, so absent parts are left out of its JSON (no next timer, no effects).</remarks>
public sealed record DecideAnswer(
    CommandStatus Status,
    long Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NextTimer? Next = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<EffectRef>? Effects = null)
{
    /// <summary>The effects to run (none when the answer's JSON has none).</summary>
    public IReadOnlyList<EffectRef> ToRun() => Effects ?? [];
}

/// <summary>An effect to run, by id and kind (its payload is stored with the decision that implied it).</summary>
public sealed record EffectRef(string Id, string Kind);

/// <summary>One event of a decision, serialized by its decider.</summary>
public sealed record RecordedEvent(long Sequence, string Type, string Data);

/// <summary>
/// One side effect of a decision, with its deterministic id <c>{type}/{instance}/{sequence}/{index}</c>.
/// <paramref name="Kind"/>: <c>send</c>, <c>alert</c>, <c>upsert</c>, <c>delete</c>; <paramref name="Data"/>: JSON.
/// </summary>
public sealed record EffectEnvelope(string Id, string Kind, string Data);

/// <summary>How a command ended.</summary>
public enum CommandStatus
{
    /// <summary>Events were recorded.</summary>
    Applied,

    /// <summary>The state already satisfied the command (a redelivery, or a stale timer): nothing recorded.</summary>
    Unchanged,

    /// <summary>The decider refused it; recorded with the reason, visible in the timeline.</summary>
    Rejected,
}

/// <summary>A decider's rejection as stored (mirrors <see cref="Domain.Orchestration.Rejection"/>).</summary>
public sealed record RejectionData(string Kind, string Command, string From, string Reason, string? To);

/// <summary>
/// What <see cref="ActivityNames.RecordDecision"/> stores for one decided command, and returns unchanged. The orchestrator
/// continues from the <b>returned</b> value, which on replay comes from history: a decision is made once, even if the
/// reference data the decider reads (org directory, calendar) has changed since (docs/decisions.md, E3).
/// </summary>
/// <param name="VersionAfter">The last event sequence after the decision (equal to the base when nothing was applied).</param>
/// <param name="StateAfter">The folded state as JSON after the decision.</param>
public sealed record DecisionRecord(
    string Type, string InstanceId, string CommandId, string Actor, DateTimeOffset At, CommandStatus Status,
    long VersionAfter, string StateAfter, IReadOnlyList<RecordedEvent> Events, IReadOnlyList<EffectEnvelope> Effects,
    RejectionData? Rejection);

/// <summary>An alert effect on its way to the alert sink.</summary>
public sealed record AlertDispatch(string AlertId, string SourceType, string SourceInstanceId, EffectEnvelope Effect);

/// <summary>A command for another orchestration instance (a <c>send</c> effect).</summary>
/// <param name="Source">Lean format: the instance whose decision stored the effect; the target and command are then
/// loaded from that decision (row <c>f|{effectId}</c>) and <paramref name="TargetType"/>, <paramref name="TargetInstanceId"/>
/// and the envelope's command are empty.</param>
public sealed record MessageDispatch(string TargetType, string TargetInstanceId, CommandEnvelope Envelope, EffectSource? Source = null);

/// <summary>Where a stored effect's payload is: the deciding instance's partition.</summary>
public sealed record EffectSource(string Type, string InstanceId);

/// <summary>An effect that failed after its retries, recorded for operators (and re-sent from the operations API).</summary>
public sealed record EffectFailure(string SourceType, string SourceInstanceId, EffectEnvelope Effect, string Error);
