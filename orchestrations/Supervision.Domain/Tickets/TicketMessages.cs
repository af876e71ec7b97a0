using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Cases;

namespace Supervision.Domain.Tickets;

/// <summary>
/// Commands a supervision ticket understands. <see cref="Actor"/> is a person id or <c>system</c> (the case
/// orchestration, timers). Discriminators are a stored contract: never rename.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(RaiseTicket), "raise")]
[JsonDerivedType(typeof(AcknowledgeTicket), "acknowledge")]
[JsonDerivedType(typeof(RespondToTicket), "respond")]
[JsonDerivedType(typeof(AcceptResponse), "accept-response")]
[JsonDerivedType(typeof(RejectResponse), "reject-response")]
[JsonDerivedType(typeof(ConferenceDecision), "conference-decision")]
[JsonDerivedType(typeof(RecommendAccountability), "recommend-accountability")]
[JsonDerivedType(typeof(RecordAccountabilityReply), "accountability-reply")]
[JsonDerivedType(typeof(CloseTicket), "close")]
[JsonDerivedType(typeof(TicketTimerElapsed), "timer")]
public abstract record TicketCommand(string Actor)
{
    [JsonIgnore]
    public string Name => TicketTransitions.NameOf(GetType());
}

/// <summary>
/// Raise a ticket (督办单) against an agency. Automatic grounds come from the case (<c>system</c>); the other Art. 40
/// grounds from a supervisor of the bureau. The accusation data travels with it so the guard needs no case state.
/// </summary>
/// <param name="BureauId">The supervising bureau; defaults to the petition bureau of the agency's level.</param>
/// <param name="ClockName">The case clock that lapsed (automatic grounds).</param>
public sealed record RaiseTicket(
    string Actor,
    string TicketId,
    string CaseId,
    string AgencyId,
    SupervisionGround Ground,
    SupervisionForm Form = SupervisionForm.Written,
    string Problem = "",
    string? BureauId = null,
    Category? Category = null,
    string? AccusedUnitId = null,
    string? AccusedPersonId = null,
    string? ClockName = null) : TicketCommand(Actor);

/// <summary>The agency confirms it received the ticket.</summary>
public sealed record AcknowledgeTicket(string Actor) : TicketCommand(Actor);

/// <summary>The agency reports what it did.</summary>
/// <param name="Files">Stored files as <c>{blobId}@sha256:{64 hex}</c>, so the report can be verified later; none when absent.</param>
public sealed record RespondToTicket(string Actor, string Report, IReadOnlyList<string>? Files = null) : TicketCommand(Actor);

/// <summary>The supervisor accepts the response: the ticket closes.</summary>
public sealed record AcceptResponse(string Actor, string? Comment = null) : TicketCommand(Actor);

/// <summary>The supervisor rejects the response: the ticket escalates one form with a new deadline.</summary>
/// <param name="NewDueDate">The new deadline; defaults to the policy limit of the next form.</param>
public sealed record RejectResponse(string Actor, string Reason, LocalDate? NewDueDate = null) : TicketCommand(Actor);

/// <summary>The joint-conference office decides on a referred ticket (Art. 39).</summary>
/// <param name="OwnerLeaderId">The last rung (decision O3): a leader assigned to own the case (领导包案).</param>
public sealed record ConferenceDecision(
    string Actor, bool Listed = false, bool Circulated = false, string? ReassignTo = null, int? ExtensionDays = null, string? Note = null,
    string? OwnerLeaderId = null)
    : TicketCommand(Actor);

/// <summary>Recommend accountability to the body that manages the people involved; it owes a written reply (Art. 40).</summary>
public sealed record RecommendAccountability(string Actor, string TargetUnitId, string Reason) : TicketCommand(Actor);

/// <summary>The target body's written reply to an accountability recommendation.</summary>
public sealed record RecordAccountabilityReply(string Actor, string ReplyFile) : TicketCommand(Actor);

/// <summary>Close the ticket from outside (the case closed).</summary>
public sealed record CloseTicket(string Actor, TicketCloseReason Reason = TicketCloseReason.CaseClosed) : TicketCommand(Actor);

/// <summary>A durable timer came due (made by <see cref="TicketDecider.OnTimer"/>).</summary>
/// <param name="Key"><c>response:remind</c>, <c>response:due</c>, <c>accountability:remind</c>, <c>accountability:due</c>.</param>
public sealed record TicketTimerElapsed(string Actor, string Key, int Generation) : TicketCommand(Actor);

/// <summary>Past-tense facts of a ticket. Discriminators are a stored contract: never rename.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(TicketRaised), "raised")]
[JsonDerivedType(typeof(TicketAcknowledged), "acknowledged")]
[JsonDerivedType(typeof(TicketResponded), "responded")]
[JsonDerivedType(typeof(TicketResponseAccepted), "response-accepted")]
[JsonDerivedType(typeof(TicketResponseRejected), "response-rejected")]
[JsonDerivedType(typeof(TicketEscalated), "escalated")]
[JsonDerivedType(typeof(TicketReminderSent), "reminder")]
[JsonDerivedType(typeof(TicketDeadlineMissed), "deadline-missed")]
[JsonDerivedType(typeof(ConferenceDecided), "conference-decided")]
[JsonDerivedType(typeof(AccountabilityRecommended), "accountability-recommended")]
[JsonDerivedType(typeof(AccountabilityReplied), "accountability-replied")]
[JsonDerivedType(typeof(AccountabilityReplyOverdue), "accountability-overdue")]
[JsonDerivedType(typeof(TicketClosed), "closed")]
public abstract record TicketEvent;

/// <param name="Response">The response deadline as computed on the legal calendar.</param>
public sealed record TicketRaised(
    string TicketId,
    string CaseId,
    string AgencyId,
    string BureauId,
    SupervisionGround Ground,
    SupervisionForm Form,
    string Problem,
    Category? Category,
    string? AccusedUnitId,
    string? AccusedPersonId,
    string? ClockName,
    LegalClock Response,
    string By) : TicketEvent;

public sealed record TicketAcknowledged(Instant At, string By) : TicketEvent;

/// <param name="Late">Responded after the response deadline.</param>
public sealed record TicketResponded(string Report, IReadOnlyList<string> Files, Instant At, bool Late, string By) : TicketEvent;

public sealed record TicketResponseAccepted(string? Comment, string By) : TicketEvent;

public sealed record TicketResponseRejected(string Reason, string By) : TicketEvent;

/// <summary>One form up the ladder, with a new deadline (next generation).</summary>
public sealed record TicketEscalated(SupervisionForm From, SupervisionForm To, LegalClock Response, EscalationCause Cause) : TicketEvent;

/// <summary>The response is due soon.</summary>
public sealed record TicketReminderSent(int Generation, LocalDate DueDate) : TicketEvent;

/// <summary>Unanswered at the top of the ladder: nothing higher to escalate to.</summary>
public sealed record TicketDeadlineMissed(SupervisionForm Form, int Generation, LocalDate DueDate) : TicketEvent;

public sealed record ConferenceDecided(
    bool Listed, bool Circulated, string? ReassignTo, int? ExtensionDays, string? Note, string By, string? OwnerLeaderId = null) : TicketEvent;

public sealed record AccountabilityRecommended(string TargetUnitId, string Reason, LegalClock ReplyClock, string By) : TicketEvent;

public sealed record AccountabilityReplied(string ReplyFile, Instant At, string By) : TicketEvent;

public sealed record AccountabilityReplyOverdue(int Generation, LocalDate DueDate) : TicketEvent;

public sealed record TicketClosed(TicketCloseReason Reason, string By) : TicketEvent;
