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
public sealed record OrchestrationInput(
    string Type, ClockMapping Clock, string? State = null, long Version = 0, IReadOnlyList<string>? Recent = null, CommandEnvelope? First = null);

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
public sealed record MessageDispatch(string TargetType, string TargetInstanceId, CommandEnvelope Envelope);

/// <summary>An effect that failed after its retries, recorded for operators (and re-sent from the operations API).</summary>
public sealed record EffectFailure(string SourceType, string SourceInstanceId, EffectEnvelope Effect, string Error);
