using NodaTime;

namespace Supervision.Domain.Orchestration;

/// <summary>
/// A side effect implied by an event. The orchestration runs each effect as a Durable Task activity after the decision
/// is recorded, at least once (an activity can run again after a crash). Each effect gets a deterministic id
/// (<c>{type}/{instance}/{sequence}/{index}</c>) so receivers can deduplicate.
/// </summary>
public abstract record Effect;

/// <summary>
/// Send a command to another orchestration instance (like raising an external event or starting a
/// sub-orchestration). The target instance is created by its first message. The effect id becomes the message id,
/// so redelivery is applied at most once.
/// </summary>
/// <param name="TargetType">The target's <see cref="IDecider{TState,TCommand,TEvent}.TypeName"/>.</param>
/// <param name="TargetInstanceId">The target instance id.</param>
/// <param name="Command">A command of the target decider's command type.</param>
public sealed record SendMessage(string TargetType, string TargetInstanceId, object Command) : Effect;

/// <summary>Deliver an alert (Teams activity + e-mail through Graph, or the local mailbox standalone).</summary>
/// <param name="AlertId">
/// The delivery id, when the alert already has one (an alert instance re-delivering its source's alert, an escalation,
/// a digest); null gives the effect's own id. Receivers de-duplicate by it.
/// </param>
public sealed record RaiseAlert(Alert Alert, string? AlertId = null) : Effect;

/// <summary>
/// Upsert one read-model row, applied only if <paramref name="Version"/> is newer than the stored row's version
/// (read models are rebuildable from events, and out-of-order dispatch must not regress them).
/// </summary>
/// <param name="Model">Read-model name; one table per model.</param>
/// <param name="PartitionKey">Row partition (e.g. the responsible unit).</param>
/// <param name="RowKey">Row key (e.g. the case id).</param>
/// <param name="Version">Monotonic version, normally the event sequence.</param>
/// <param name="Values">Primitive values only: string, bool, int, long, double, DateTimeOffset, or null.</param>
public sealed record UpsertReadModel(
    string Model, string PartitionKey, string RowKey, long Version, IReadOnlyDictionary<string, object?> Values) : Effect;

/// <summary>Delete one read-model row if its version is not newer than <paramref name="Version"/>.</summary>
public sealed record DeleteReadModel(string Model, string PartitionKey, string RowKey, long Version) : Effect;

/// <summary>Urgency decides delivery: routine alerts wait for working hours and are digested; urgent ones go at once (DOMAIN.md §9).</summary>
public enum AlertUrgency
{
    Routine,
    Urgent,

    /// <summary>
    /// Due at a set time before an event (a reception reminder, decision R13): delivered in-line at once, never held for the
    /// digest (which would bring it at the hour of the event) and never watched for escalation (nothing to acknowledge).
    /// </summary>
    Timed,
}

/// <summary>Who should receive an alert, resolved against the org directory at dispatch time.</summary>
/// <param name="Role">A role such as <c>handler</c>, <c>agency-head</c>, <c>supervisor</c>, <c>leader</c>.</param>
/// <param name="UnitId">The org unit whose holders of <paramref name="Role"/> receive it.</param>
public sealed record AlertAudience(string Role, string UnitId)
{
    /// <summary>The role of a one-person audience (a digest); <see cref="UnitId"/> then holds the person id.</summary>
    public const string PersonRole = "person";

    /// <summary>One person, whatever their roles (the daily digest gathers a person's alerts from all of them).</summary>
    public static AlertAudience Person(string personId) => new(PersonRole, personId);
}

/// <summary>An alert to leaders/officers. Text must carry no petitioner personal data (it travels by e-mail).</summary>
/// <param name="Kind">Machine name, e.g. <c>deadline.warning</c>, <c>ticket.raised</c>.</param>
/// <param name="Subject">Short subject line, as worded at decision time (kept for compatibility; prefer <see cref="AlertText.Render"/>).</param>
/// <param name="Body">Plain-text body, as worded at decision time (kept for compatibility).</param>
/// <param name="To">Audiences.</param>
/// <param name="Urgency">Routine, urgent or timed.</param>
/// <param name="Link">Relative link into the app, e.g. <c>/cases/XF-2026-000123</c>.</param>
/// <param name="CaseId">The case (or other instance) the alert is about.</param>
/// <param name="Deadline">For a deadline alert: the clock, rule, article, due date and level, so the text can be rendered at delivery.</param>
/// <param name="Digested">
/// Set by the daily digest on each routine alert it held (decision A15): the alert is filed under its own id in its
/// audiences' mailboxes, and sends nothing of its own (the person's digest message carries it). Omitted from JSON when
/// false, so every other alert serializes as before.
/// </param>
public sealed record Alert(
    string Kind,
    string Subject,
    string Body,
    IReadOnlyList<AlertAudience> To,
    AlertUrgency Urgency,
    string? Link = null,
    string? CaseId = null,
    AlertDeadline? Deadline = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    bool Digested = false);

/// <summary>Levels a deadline alert can carry (the escalation ladder, DOMAIN.md §9).</summary>
public enum AlertLevel
{
    /// <summary>提醒: half the time is gone.</summary>
    Reminder,

    /// <summary>预警 (yellow).</summary>
    Warning,

    /// <summary>临期 (orange).</summary>
    Critical,

    /// <summary>超期 (red).</summary>
    Overdue,
}

/// <summary>The structured deadline behind an alert: enough to word it correctly whenever it is delivered.</summary>
/// <param name="Clock">The clock name in the case (e.g. <c>handling</c>).</param>
/// <param name="Rule">The rule's name as the law states it (e.g. 办理期限).</param>
/// <param name="Article">The article (e.g. 《信访工作条例》第三十四条).</param>
/// <param name="DueDate">The last legal day (inclusive).</param>
/// <param name="DueAt">24:00 of the due date (Asia/Shanghai).</param>
public sealed record AlertDeadline(string Clock, string Rule, string Article, LocalDate DueDate, Instant DueAt, AlertLevel Level);

/// <summary>
/// Add to counters of one aggregate partition, exactly once: the writer inserts <paramref name="MarkerRowKey"/> and merges
/// every counter row in one entity-group transaction (each row under the ETag it read), so a redelivered effect finds its
/// marker and changes nothing (decision A21). Counters are longs; the row key carries the labels.
/// </summary>
/// <param name="Model">Aggregate table name.</param>
/// <param name="PartitionKey">The partition (e.g. a month).</param>
/// <param name="MarkerRowKey">Unique per (instance, event sequence, partition).</param>
/// <param name="Counters">Row key → counter name → delta; at most 40 rows (a transaction holds 100 operations).</param>
/// <param name="Mirror">
/// Optional: rows whose key starts with <see cref="CounterMirror.From"/> are copied to the same key under
/// <see cref="CounterMirror.To"/> while their <see cref="CounterMirror.Counter"/> is at least <see cref="CounterMirror.AtLeast"/>
/// (and the copy removed when it falls below), so a reader finds the few hot rows without reading the many cold ones.
/// </param>
public sealed record BumpCounters(
    string Model, string PartitionKey, string MarkerRowKey, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Counters,
    CounterMirror? Mirror = null) : Effect;

/// <summary>See <see cref="BumpCounters.Mirror"/>.</summary>
public sealed record CounterMirror(string From, string To, string Counter, long AtLeast);
