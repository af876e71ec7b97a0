using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Runtime.TestKit;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(SetDeadline), "set")]
[JsonDerivedType(typeof(CancelDeadline), "cancel")]
[JsonDerivedType(typeof(Ping), "ping")]
[JsonDerivedType(typeof(Notify), "notify")]
[JsonDerivedType(typeof(FireDeadline), "fire")]
[JsonDerivedType(typeof(Burst), "burst")]
public abstract record DeadlineCommand;

/// <summary>Sets (revision 1) or reschedules (higher revisions) the deadline. Older revisions are ignored, so order does not matter.</summary>
public sealed record SetDeadline(Instant DueAt, int Revision, string? Partner = null) : DeadlineCommand;

public sealed record CancelDeadline : DeadlineCommand;

public sealed record Ping(int Amount) : DeadlineCommand;

public sealed record Notify(string From) : DeadlineCommand;

public sealed record FireDeadline(string Key, int Generation, Instant DueAt) : DeadlineCommand;

/// <summary>Emits <c>Count</c> events at once (to exercise the transaction-size guard).</summary>
public sealed record Burst(int Count) : DeadlineCommand;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(DeadlineSet), "set")]
[JsonDerivedType(typeof(DeadlineCancelled), "cancelled")]
[JsonDerivedType(typeof(DeadlineFired), "fired")]
[JsonDerivedType(typeof(Pinged), "pinged")]
[JsonDerivedType(typeof(Notified), "notified")]
public abstract record DeadlineEvent;

public sealed record DeadlineSet(Instant DueAt, int Generation, string? Partner) : DeadlineEvent;

public sealed record DeadlineCancelled : DeadlineEvent;

public sealed record DeadlineFired(int Generation, Instant DueAt) : DeadlineEvent;

public sealed record Pinged(int Amount) : DeadlineEvent;

public sealed record Notified(string From) : DeadlineEvent;

/// <summary>State of the test orchestration. <c>Status</c>: none, pending, fired, cancelled.</summary>
public sealed record DeadlineState(string Status, Instant? DueAt, int Generation, string? Partner, int Fires, int FiredGeneration, int Pings, int Notifications);

/// <summary>
/// A small orchestration for runtime tests: one deadline timer with generations, effects on firing (an alert, a
/// read-model upsert, a message to a partner instance), and commutative counters for concurrency tests.
/// </summary>
public sealed class DeadlineDecider : IDecider<DeadlineState, DeadlineCommand, DeadlineEvent>
{
    public const string Type = "deadline";
    public const string TimerKey = "deadline";
    public const string ReadModel = "deadlines";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new Supervision.Domain.Orchestration.NodaTimeJson.InstantConverter() } };

    public string TypeName => Type;

    public DeadlineState Initial { get; } = new("none", null, 0, null, 0, 0, 0, 0);

    public Decision<DeadlineEvent> Decide(DeadlineState state, DeadlineCommand command, DecisionContext context) => command switch
    {
        SetDeadline s when s.Revision <= state.Generation => Decision<DeadlineEvent>.None,
        SetDeadline s => Decision<DeadlineEvent>.Accept(new DeadlineSet(s.DueAt, s.Revision, s.Partner ?? state.Partner)),
        CancelDeadline when state.Status == "pending" => Decision<DeadlineEvent>.Accept(new DeadlineCancelled()),
        CancelDeadline => Decision<DeadlineEvent>.None,
        Ping p when p.Amount <= 0 => Decision<DeadlineEvent>.Reject(Rejection.Invalid("ping", state.Status, "amount must be positive")),
        Ping p => Decision<DeadlineEvent>.Accept(new Pinged(p.Amount)),
        Notify n => Decision<DeadlineEvent>.Accept(new Notified(n.From)),
        FireDeadline f when state.Status == "pending" && f.Generation == state.Generation => Decision<DeadlineEvent>.Accept(new DeadlineFired(f.Generation, context.Now)),
        FireDeadline => Decision<DeadlineEvent>.None,
        Burst b => Decision<DeadlineEvent>.Accept(Enumerable.Range(0, b.Count).Select(_ => (DeadlineEvent)new Pinged(1)).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown command"),
    };

    public DeadlineState Evolve(DeadlineState state, DeadlineEvent @event) => @event switch
    {
        DeadlineSet s => state with { Status = "pending", DueAt = s.DueAt, Generation = s.Generation, Partner = s.Partner },
        DeadlineCancelled => state with { Status = "cancelled" },
        DeadlineFired f => state with { Status = "fired", Fires = state.Fires + 1, FiredGeneration = f.Generation },
        Pinged p => state with { Pings = state.Pings + p.Amount },
        Notified => state with { Notifications = state.Notifications + 1 },
        _ => state,
    };

    public IReadOnlyList<DurableTimer> Timers(DeadlineState state) =>
        state is { Status: "pending", DueAt: { } due } ? [new DurableTimer(TimerKey, due, state.Generation)] : [];

    public DeadlineCommand OnTimer(TimerFired fired) => new FireDeadline(fired.Key, fired.Generation, fired.DueAt);

    public IReadOnlyList<Effect> Effects(DeadlineState before, DeadlineEvent @event, DeadlineState after, EffectContext context) => @event switch
    {
        DeadlineFired f =>
        [
            new RaiseAlert(new Alert("deadline.fired", "Deadline passed", $"{context.InstanceId} generation {f.Generation}",
                [new AlertAudience("supervisor", "unit-1")], AlertUrgency.Urgent, "/deadlines/" + context.InstanceId)),
            new UpsertReadModel(ReadModel, "all", context.InstanceId, context.Sequence, new Dictionary<string, object?>
            {
                ["Status"] = "fired",
                ["Generation"] = f.Generation,
                ["DueAt"] = f.DueAt.ToDateTimeOffset(),
            }),
            .. after.Partner is { } partner ? [new SendMessage(Type, partner, new Notify(context.InstanceId))] : Array.Empty<Effect>(),
        ],
        DeadlineCancelled => [new DeleteReadModel(ReadModel, "all", context.InstanceId, context.Sequence)],
        _ => [],
    };
}
