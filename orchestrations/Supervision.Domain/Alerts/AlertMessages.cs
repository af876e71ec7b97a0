using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Alerts;

/// <summary>
/// Commands of an alert instance (one per urgent alert: delivery with Graph's <c>Retry-After</c>, acknowledgement,
/// escalation when nobody acknowledges). Discriminators are a stored contract: never rename.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(PublishAlert), "publish")]
[JsonDerivedType(typeof(AcknowledgeAlert), "acknowledge")]
[JsonDerivedType(typeof(AlertTimerElapsed), "timer")]
public abstract record AlertCommand(string Actor);

/// <summary>Deliver <paramref name="Alert"/> now and, when <paramref name="Watch"/>, escalate it while nobody acknowledges it.</summary>
/// <param name="AlertId">The alert's id as its source decided it (the receivers' de-duplication key).</param>
public sealed record PublishAlert(string Actor, string AlertId, string SourceType, string SourceInstanceId, Alert Alert, bool Watch) : AlertCommand(Actor);

/// <summary>A recipient (or anyone above them the alert was escalated to) confirms they have seen it.</summary>
public sealed record AcknowledgeAlert(string Actor) : AlertCommand(Actor);

public sealed record AlertTimerElapsed(string Actor, string Key, int Generation) : AlertCommand(Actor);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AlertPublished), "published")]
[JsonDerivedType(typeof(AlertAcknowledged), "acknowledged")]
[JsonDerivedType(typeof(AlertEscalated), "escalated")]
public abstract record AlertEvent;

/// <param name="AcknowledgeBy">When an unacknowledged alert escalates; null when it is not watched.</param>
public sealed record AlertPublished(string AlertId, string SourceType, string SourceInstanceId, Alert Alert, Instant? AcknowledgeBy) : AlertEvent;

public sealed record AlertAcknowledged(string By, Instant At) : AlertEvent;

/// <summary>Nobody acknowledged in time: the alert goes one level up (<see cref="AlertLadder"/>).</summary>
/// <param name="Level">1 for the first escalation.</param>
/// <param name="AcknowledgeBy">When it escalates again; null at the top of the ladder.</param>
public sealed record AlertEscalated(int Level, IReadOnlyList<AlertAudience> To, Instant? AcknowledgeBy) : AlertEvent;

/// <summary>Commands of a day's digest instance (<c>digest-{yyyy-MM-dd}</c>).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(HoldForDigest), "hold")]
[JsonDerivedType(typeof(DigestTimerElapsed), "timer")]
public abstract record DigestCommand(string Actor);

/// <summary>A routine alert, held for the digest of <paramref name="Date"/> (09:00 that working day).</summary>
public sealed record HoldForDigest(string Actor, LocalDate Date, string AlertId, string SourceType, string SourceInstanceId, Alert Alert) : DigestCommand(Actor);

public sealed record DigestTimerElapsed(string Actor, string Key, int Generation) : DigestCommand(Actor);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AlertHeld), "held")]
[JsonDerivedType(typeof(DigestSent), "sent")]
[JsonDerivedType(typeof(HeldAlertSentLate), "sent-late")]
public abstract record DigestEvent;

public sealed record AlertHeld(LocalDate Date, string AlertId, string SourceType, string SourceInstanceId, Alert Alert) : DigestEvent;

/// <summary>The digest went out: one message per person, gathering every alert held for them.</summary>
public sealed record DigestSent(Instant At, int Alerts) : DigestEvent;

/// <summary>An alert that arrived after its digest went out (engine latency around 09:00): delivered on its own.</summary>
public sealed record HeldAlertSentLate(string AlertId, string SourceType, string SourceInstanceId, Alert Alert) : DigestEvent;
