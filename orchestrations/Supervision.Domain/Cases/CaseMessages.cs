using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

/// <summary>
/// Commands a case understands; one per HTTP action. Every command names its <see cref="Actor"/> (a person id,
/// <c>petitioner:{query code}</c>, or <c>system</c>), which <see cref="CaseDecider"/> checks against the org directory.
/// Discriminators are part of the stored contract: never rename.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(RegisterCase), "register")]
[JsonDerivedType(typeof(ClassifyCase), "classify")]
[JsonDerivedType(typeof(RouteCase), "route")]
[JsonDerivedType(typeof(ReferOut), "refer-out")]
[JsonDerivedType(typeof(RaiseObjection), "object")]
[JsonDerivedType(typeof(DecideObjection), "decide-objection")]
[JsonDerivedType(typeof(AcceptCase), "accept")]
[JsonDerivedType(typeof(ApproveExtension), "approve-extension")]
[JsonDerivedType(typeof(IssueReply), "reply")]
[JsonDerivedType(typeof(SubmitCompletionReport), "completion-report")]
[JsonDerivedType(typeof(RateHandling), "rate")]
[JsonDerivedType(typeof(RequestReview), "request-review")]
[JsonDerivedType(typeof(IssueReviewOpinion), "review-opinion")]
[JsonDerivedType(typeof(RequestReExamination), "request-reexamination")]
[JsonDerivedType(typeof(StartHearing), "start-hearing")]
[JsonDerivedType(typeof(EndHearing), "end-hearing")]
[JsonDerivedType(typeof(IssueReExaminationOpinion), "reexamination-opinion")]
[JsonDerivedType(typeof(ReportMajor), "report-major")]
[JsonDerivedType(typeof(RecordRepeatPetition), "record-repeat")]
[JsonDerivedType(typeof(MigratePolicy), "migrate-policy")]
[JsonDerivedType(typeof(ClockTimerElapsed), "timer")]
[JsonDerivedType(typeof(ReissueQueryCode), "reissue-query-code")]
[JsonDerivedType(typeof(ApplyConferenceExtension), "conference-extension")]
[JsonDerivedType(typeof(ReassignCase), "reassign")]
[JsonDerivedType(typeof(MarkSupervision), "mark-supervision")]
[JsonDerivedType(typeof(ApplyJointAssignment), "joint-assignment")]
[JsonDerivedType(typeof(RecordTicket), "record-ticket")]
[JsonDerivedType(typeof(TakeOwnership), "take-ownership")]
[JsonDerivedType(typeof(AssignOwnership), "assign-owner")]
public abstract record CaseCommand(string Actor)
{
    /// <summary>The stable discriminator, used in rejections and the transitions table.</summary>
    [JsonIgnore]
    public string Name => CaseTransitions.NameOf(GetType());
}

/// <summary>Register a petition (登记) at a petition bureau or, received directly, at a competent agency.</summary>
/// <param name="CaseId">Assigned by the caller (no randomness in the domain).</param>
/// <param name="QueryCodeHash">
/// The salted hash (<see cref="QueryCodes.Hash(string, byte[])"/>) of the petitioner's query code (查询码). The caller
/// generates the code and a random salt with a CSPRNG, hashes it, and hands the code to the petitioner once: the code
/// itself never enters a command, an envelope or the orchestration history. Null only in commands recorded before that.
/// </param>
/// <param name="UnitId">The registering unit: a petition bureau, or an agency that received the item directly.</param>
/// <param name="GroupSize">People who came together; a group visit (more than one person on a visit) elects 1–5 representatives (Art. 18).</param>
/// <param name="MatterKey">The matter in a stable, normalised form (e.g. the property or decision concerned); with the petitioner it makes the repeat fingerprint.</param>
/// <param name="Category">Known at intake, or set later with <see cref="ClassifyCase"/>.</param>
/// <param name="AccusedUnitId">For an accusation: the accused unit.</param>
/// <param name="AccusedPersonId">For an accusation: the accused person.</param>
/// <param name="MajorReason">Set to report the item as major/urgent at once (Art. 25).</param>
/// <param name="CaseType">Policy case type; defaults to petition.</param>
/// <param name="QueryCode">Legacy, read only so old histories replay: the code in clear, as commands carried it before hashing at the edge.</param>
/// <param name="QueryCodeSalt">Legacy, with <paramref name="QueryCode"/>: the caller salt that, with the case id, salted its hash.</param>
public sealed record RegisterCase(
    string Actor,
    string CaseId,
    string? QueryCodeHash,
    Channel Channel,
    Instant ReceivedAt,
    string UnitId,
    Petitioner Petitioner,
    string Summary,
    string MatterKey,
    int GroupSize = 1,
    int Representatives = 0,
    Category? Category = null,
    string? AccusedUnitId = null,
    string? AccusedPersonId = null,
    string? MajorReason = null,
    string CaseType = PolicyCatalog.Petition,
    string? QueryCodeSalt = null,
    string? QueryCode = null) : CaseCommand(Actor);

/// <summary>Classify (建议意见 / 检举控告 / 申诉求决) before routing or acceptance.</summary>
public sealed record ClassifyCase(string Actor, Category Category, string? AccusedUnitId = null, string? AccusedPersonId = null)
    : CaseCommand(Actor);

/// <summary>Route: 转送 to the competent body, or 交办 with a deadline the bureau sets and a completion report (Art. 22).</summary>
public sealed record RouteCase(string Actor, RoutingKind Kind, string AgencyId, LocalDate? AssignedDueDate = null, bool ReportRequired = true)
    : CaseCommand(Actor);

/// <summary>Take the item out of the petition track (诉访分离) to a legal channel or discipline inspection (Arts. 28, 31).</summary>
/// <param name="TargetUnitId">The receiving body, when there is one in the directory (a court, discipline inspection).</param>
public sealed record ReferOut(string Actor, ReferralChannel Channel, string Reason, string? TargetUnitId = null) : CaseCommand(Actor);

/// <summary>The agency objects that the item is outside its remit, within 5 working days of receipt (Art. 23).</summary>
public sealed record RaiseObjection(string Actor, string Reason) : CaseCommand(Actor);

/// <summary>The bureau verifies an objection: upheld returns the item to the bureau to re-route; overruled sends it back to the agency.</summary>
public sealed record DecideObjection(string Actor, bool Upheld, string Reason) : CaseCommand(Actor);

/// <summary>Accept (受理) and send the written notice of acceptance (Art. 23); starts the handling clock.</summary>
/// <param name="NoticeSent">Whether the written notice went out; not owed when the petitioner's name or address is unknown.</param>
public sealed record AcceptCase(string Actor, HandlingMode Mode = HandlingMode.Ordinary, bool NoticeSent = true) : CaseCommand(Actor);

/// <summary>The agency head extends the handling clock once, by at most 30 days, and tells the petitioner why (Art. 34).</summary>
public sealed record ApproveExtension(string Actor, int Days, string Reason, LocalDate PetitionerToldOn) : CaseCommand(Actor);

/// <summary>The written reply (信访处理意见书) with its outcome; the opinion is a stored file (Art. 32).</summary>
/// <param name="OpinionFile">Reference of the stored opinion file.</param>
/// <param name="ServedOn">When the petitioner received it; starts the review window. Defaults to the decision date.</param>
public sealed record IssueReply(string Actor, Outcome Outcome, string OpinionFile, LocalDate? ServedOn = null, FileDigest? Digest = null) : CaseCommand(Actor);

/// <summary>The completion report (办结报告) an assigned (交办) item owes the bureau.</summary>
public sealed record SubmitCompletionReport(string Actor, string ReportFile, FileDigest? Digest = null) : CaseCommand(Actor);

/// <summary>The petitioner rates the latest opinion. Does not move any legal clock.</summary>
public sealed record RateHandling(string Actor, Rating Rating, string? Comment = null) : CaseCommand(Actor);

/// <summary>The petitioner requests review (复查) within 30 days of receiving the reply (Art. 35).</summary>
/// <param name="ReceivedOn">When the reviewing body received the request; starts its 30 days. Defaults to the decision date.</param>
public sealed record RequestReview(string Actor, LocalDate? ReceivedOn = null) : CaseCommand(Actor);

/// <summary>The reviewing body's written opinion (Art. 35).</summary>
public sealed record IssueReviewOpinion(string Actor, Outcome Outcome, string OpinionFile, LocalDate? ServedOn = null, FileDigest? Digest = null) : CaseCommand(Actor);

/// <summary>The petitioner requests re-examination (复核) within 30 days of receiving the review opinion (Art. 36).</summary>
public sealed record RequestReExamination(string Actor, LocalDate? ReceivedOn = null) : CaseCommand(Actor);

/// <summary>A hearing (听证) opens; the re-examination clock stops counting from this day (Art. 36).</summary>
public sealed record StartHearing(string Actor, LocalDate On) : CaseCommand(Actor);

/// <summary>The hearing closes; its days (inclusive) do not count.</summary>
public sealed record EndHearing(string Actor, LocalDate On) : CaseCommand(Actor);

/// <summary>The re-examination opinion: the case becomes final (Art. 36).</summary>
public sealed record IssueReExaminationOpinion(string Actor, Outcome Outcome, string OpinionFile, LocalDate? ServedOn = null, FileDigest? Digest = null) : CaseCommand(Actor);

/// <summary>Report a major or urgent item to the Party committee and government and notify the conference office (Art. 25).</summary>
public sealed record ReportMajor(string Actor, string Reason) : CaseCommand(Actor);

/// <summary>
/// A new petition on this case's matter arrived (found by fingerprint): refused as a repeat once the case is final
/// (Art. 36), noted as a duplicate while it is being handled within its limit (Art. 19).
/// </summary>
/// <param name="UnitId">Where it arrived.</param>
public sealed record RecordRepeatPetition(string Actor, Instant ReceivedAt, Channel Channel, string UnitId) : CaseCommand(Actor);

/// <summary>Move an open case to a newer version of its policy; running clocks are recomputed from their own triggers.</summary>
public sealed record MigratePolicy(string Actor, int Version) : CaseCommand(Actor);

/// <summary>
/// Issue a new query code (查询码) when the petitioner lost theirs or it leaked: the old code stops working. Issued by a
/// registrar of the case's petition bureau or of the registering unit. The caller generates the code and a random salt with
/// a CSPRNG and sends only <paramref name="QueryCodeHash"/> (<see cref="QueryCodes.Hash(string, byte[])"/>).
/// </summary>
/// <param name="QueryCodeHash">The salted hash of the new code; null only in commands recorded before hashing at the edge.</param>
/// <param name="QueryCode">Legacy, read only so old histories replay: the new code in clear.</param>
/// <param name="QueryCodeSalt">Legacy, with <paramref name="QueryCode"/>: its caller salt.</param>
public sealed record ReissueQueryCode(string Actor, string? QueryCodeHash, string? QueryCode = null, string? QueryCodeSalt = null) : CaseCommand(Actor);

/// <summary>A durable timer came due (made by <see cref="CaseDecider.OnTimer"/>; actor <c>system</c>).</summary>
public sealed record ClockTimerElapsed(string Actor, string Clock, ClockLevel Level, int Generation) : CaseCommand(Actor);

/// <summary>Past-tense facts of a case; the audit trail. Discriminators are a stored contract: never rename.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(CaseRegistered), "registered")]
[JsonDerivedType(typeof(CaseClassified), "classified")]
[JsonDerivedType(typeof(CaseRouted), "routed")]
[JsonDerivedType(typeof(CaseReferredOut), "referred-out")]
[JsonDerivedType(typeof(ObjectionRaised), "objection-raised")]
[JsonDerivedType(typeof(ObjectionUpheld), "objection-upheld")]
[JsonDerivedType(typeof(ObjectionOverruled), "objection-overruled")]
[JsonDerivedType(typeof(CaseAccepted), "accepted")]
[JsonDerivedType(typeof(ExtensionApproved), "extension-approved")]
[JsonDerivedType(typeof(ReplyIssued), "replied")]
[JsonDerivedType(typeof(CompletionReportSubmitted), "completion-reported")]
[JsonDerivedType(typeof(HandlingRated), "rated")]
[JsonDerivedType(typeof(ReviewRequested), "review-requested")]
[JsonDerivedType(typeof(ReviewOpinionIssued), "review-opinion-issued")]
[JsonDerivedType(typeof(ReExaminationRequested), "reexamination-requested")]
[JsonDerivedType(typeof(HearingStarted), "hearing-started")]
[JsonDerivedType(typeof(HearingEnded), "hearing-ended")]
[JsonDerivedType(typeof(ReExaminationOpinionIssued), "reexamination-opinion-issued")]
[JsonDerivedType(typeof(MajorItemReported), "major-reported")]
[JsonDerivedType(typeof(RepeatPetitionRefused), "repeat-refused")]
[JsonDerivedType(typeof(DuplicatePetitionNoted), "duplicate-noted")]
[JsonDerivedType(typeof(PolicyMigrated), "policy-migrated")]
[JsonDerivedType(typeof(ClockStarted), "clock-started")]
[JsonDerivedType(typeof(ClockRescheduled), "clock-rescheduled")]
[JsonDerivedType(typeof(ClockPaused), "clock-paused")]
[JsonDerivedType(typeof(ClockStopped), "clock-stopped")]
[JsonDerivedType(typeof(ClockReminderSent), "clock-reminder")]
[JsonDerivedType(typeof(ClockWarningRaised), "clock-warning")]
[JsonDerivedType(typeof(ClockCriticalRaised), "clock-critical")]
[JsonDerivedType(typeof(ClockOverdue), "clock-overdue")]
[JsonDerivedType(typeof(ClockLapsed), "clock-lapsed")]
[JsonDerivedType(typeof(QueryCodeReissued), "query-code-reissued")]
[JsonDerivedType(typeof(ConferenceExtensionApplied), "conference-extension-applied")]
[JsonDerivedType(typeof(CaseReassigned), "reassigned")]
[JsonDerivedType(typeof(SupervisionMarked), "supervision-marked")]
[JsonDerivedType(typeof(JointAssignmentApplied), "joint-assignment-applied")]
[JsonDerivedType(typeof(TicketRecorded), "ticket-recorded")]
[JsonDerivedType(typeof(OwnershipTaken), "ownership-taken")]
public abstract record CaseEvent;

/// <param name="QueryCode">
/// Legacy only: events written before hashing carried the code in clear; <see cref="CaseDecider.Evolve"/> turns it into
/// a hash. New events leave it null (not written).
/// </param>
/// <param name="Fingerprint">See <see cref="CaseState.Fingerprint"/>.</param>
/// <param name="BureauId">The supervising petition bureau.</param>
/// <param name="Policy">The policy version the case is pinned to.</param>
/// <param name="QueryCodeHash">The salted hash of the query code (<see cref="QueryCodes.Hash(string, byte[])"/>); never the code.</param>
/// <param name="MatterFingerprint">The matter alone, hashed (<see cref="CaseHashes.MatterFingerprint"/>); absent on events written before the repeat analysis.</param>
public sealed record CaseRegistered(
    string CaseId,
    string? QueryCode,
    Channel Channel,
    Instant ReceivedAt,
    LocalDate ReceivedOn,
    string UnitId,
    Intake Intake,
    string BureauId,
    Petitioner Petitioner,
    int GroupSize,
    int Representatives,
    string Summary,
    string Fingerprint,
    Category? Category,
    string? AccusedUnitId,
    string? AccusedPersonId,
    PolicyRef Policy,
    string By,
    string? QueryCodeHash = null,
    string? MatterFingerprint = null) : CaseEvent;

public sealed record CaseClassified(Category Category, string? AccusedUnitId, string? AccusedPersonId, string By) : CaseEvent;

public sealed record CaseRouted(RoutingKind Kind, string AgencyId, LocalDate ReceivedOn, LocalDate? AssignedDueDate, bool ReportRequired, string By) : CaseEvent;

public sealed record CaseReferredOut(ReferralChannel Channel, string? TargetUnitId, string Reason, string By) : CaseEvent;

public sealed record ObjectionRaised(string Reason, string By) : CaseEvent;

public sealed record ObjectionUpheld(string Reason, string By) : CaseEvent;

public sealed record ObjectionOverruled(string Reason, string By) : CaseEvent;

public sealed record CaseAccepted(HandlingMode Mode, LocalDate AcceptedOn, bool NoticeSent, string By) : CaseEvent;

public sealed record ExtensionApproved(int Days, string Reason, LocalDate PetitionerToldOn, string By) : CaseEvent;

public sealed record ReplyIssued(Outcome Outcome, string OpinionFile, LocalDate ServedOn, string By, FileDigest? Digest = null) : CaseEvent;

public sealed record CompletionReportSubmitted(string ReportFile, string By, FileDigest? Digest = null) : CaseEvent;

public sealed record HandlingRated(Stage Stage, Rating Rating, string? Comment, string By) : CaseEvent;

public sealed record ReviewRequested(string ReviewBodyId, LocalDate ReceivedOn, string By) : CaseEvent;

public sealed record ReviewOpinionIssued(Outcome Outcome, string OpinionFile, LocalDate ServedOn, string By, FileDigest? Digest = null) : CaseEvent;

public sealed record ReExaminationRequested(string BodyId, LocalDate ReceivedOn, string By) : CaseEvent;

public sealed record HearingStarted(LocalDate On, string By) : CaseEvent;

public sealed record HearingEnded(LocalDate On, string By) : CaseEvent;

public sealed record ReExaminationOpinionIssued(Outcome Outcome, string OpinionFile, LocalDate ServedOn, string By, FileDigest? Digest = null) : CaseEvent;

public sealed record MajorItemReported(string Reason, string By) : CaseEvent;

/// <summary>The same request on the same facts after the case became final: not accepted (Art. 36).</summary>
public sealed record RepeatPetitionRefused(Instant ReceivedAt, Channel Channel, string UnitId, string By) : CaseEvent;

/// <summary>The same item arrived elsewhere while this case is within its limit: not accepted again (Art. 19).</summary>
public sealed record DuplicatePetitionNoted(Instant ReceivedAt, Channel Channel, string UnitId, string By) : CaseEvent;

public sealed record PolicyMigrated(PolicyRef From, PolicyRef To, string By) : CaseEvent;

/// <summary>A clock started (or restarted with a higher generation); carries the clock as computed.</summary>
public sealed record ClockStarted(LegalClock Clock) : CaseEvent;

/// <summary>A running clock's due date moved (extension, hearing, policy migration); new generation.</summary>
public sealed record ClockRescheduled(LegalClock Clock, string Reason) : CaseEvent;

public sealed record ClockPaused(string Name, int Generation, LocalDate From, string Reason) : CaseEvent;

public sealed record ClockStopped(string Name, int Generation, Instant At, string Reason) : CaseEvent;

/// <summary>提醒: half the time is gone.</summary>
public sealed record ClockReminderSent(string Name, int Generation, LocalDate DueDate) : CaseEvent;

/// <summary>预警 (yellow).</summary>
public sealed record ClockWarningRaised(string Name, int Generation, LocalDate DueDate) : CaseEvent;

/// <summary>临期 (orange).</summary>
public sealed record ClockCriticalRaised(string Name, int Generation, LocalDate DueDate) : CaseEvent;

/// <summary>超期 (red): where the supervision ticket (督办单) hooks in.</summary>
public sealed record ClockOverdue(string Name, int Generation, LocalDate DueDate) : CaseEvent;

/// <summary>A window ran out unused.</summary>
public sealed record ClockLapsed(string Name, int Generation, Instant At) : CaseEvent;

/// <summary>A new query code (查询码) was issued; the old one no longer works. Carries the hash only.</summary>
public sealed record QueryCodeReissued(string QueryCodeHash, string By) : CaseEvent;
// ───────────── Supervision hooks (督办, 联合交办): applied from the ticket, conference and joint orchestrations ─────────────

/// <summary>The conference office extended the handling clock on a referred ticket (Art. 39); actor <c>system</c>.</summary>
public sealed record ApplyConferenceExtension(string Actor, string TicketId, int Days, string Reason) : CaseCommand(Actor);

/// <summary>The conference office gave the case to another agency (new routing); actor <c>system</c>.</summary>
public sealed record ReassignCase(string Actor, string TicketId, string AgencyId, string Reason) : CaseCommand(Actor);

/// <summary>The conference office listed (挂牌督办) and/or circulated (通报) the case; actor <c>system</c>.</summary>
public sealed record MarkSupervision(string Actor, string TicketId, bool Listed, bool Circulated) : CaseCommand(Actor);

/// <summary>An approved joint assignment (联合交办, Art. 24): the lead handles, co-handlers owe their part by their sub-deadlines.</summary>
public sealed record ApplyJointAssignment(
    string Actor, string AssignmentId, string LeadAgencyId, LocalDate LeadDueDate, IReadOnlyList<CoHandlerDeadline> CoHandlers) : CaseCommand(Actor);

/// <summary>A ticket was raised about this case; the case closes it when the case ends.</summary>
public sealed record RecordTicket(string Actor, string TicketId) : CaseCommand(Actor);

public sealed record ConferenceExtensionApplied(string TicketId, int Days, string Reason, string By) : CaseEvent;

public sealed record CaseReassigned(string TicketId, string? FromAgencyId, string AgencyId, LocalDate ReceivedOn, string Reason, string By) : CaseEvent;

public sealed record SupervisionMarked(string TicketId, bool Listed, bool Circulated, string By) : CaseEvent;

public sealed record JointAssignmentApplied(
    string AssignmentId, string LeadAgencyId, LocalDate LeadDueDate, IReadOnlyList<CoHandlerDeadline> CoHandlers, LocalDate ReceivedOn, string By) : CaseEvent;

public sealed record TicketRecorded(string TicketId) : CaseEvent;

// ───────────── Case ownership (领导包案, Arts. 7, 39): decisions O1–O3 ─────────────

/// <summary>
/// A leader takes ownership of the case (领导包案): they answer for it until it ends, are alerted on every overdue step,
/// and are named on its timeline and 督办单. The actor is the leader (a leader of a government or Party committee whose
/// level is over a unit that has held the case).
/// </summary>
/// <param name="Reason">Why (e.g. 领导接访后包案), ≤ 1000 characters.</param>
/// <param name="ReceptionId">The reception (领导接访) whose outcome this is, when it is one.</param>
public sealed record TakeOwnership(string Actor, string Reason, string? ReceptionId = null) : CaseCommand(Actor);

/// <summary>
/// The conference office's last rung of the supervision ladder (S3): a leader is assigned to own the case; actor
/// <c>system</c>, sent by the ticket that decided it.
/// </summary>
public sealed record AssignOwnership(string Actor, string TicketId, string LeaderId, string Reason) : CaseCommand(Actor);

/// <summary>A leader owns the case (包案) from <paramref name="On"/>; <paramref name="LeaderName"/> as the directory named them then.</summary>
/// <param name="UnitId">The government or Party committee in whose name the leader owns it.</param>
/// <param name="TicketId">Set when the conference office assigned the leader on a ticket.</param>
/// <param name="ReceptionId">Set when the ownership is the outcome of a reception (领导接访).</param>
public sealed record OwnershipTaken(
    string LeaderId, string LeaderName, string UnitId, LocalDate On, string Reason, string By, string? TicketId = null, string? ReceptionId = null) : CaseEvent;

/// <summary>
/// The stored file a legal step cites, as the service measured it when the step was taken: its SHA-256 (lower-case hex)
/// and size, so the record proves which bytes were served. Set by the API from the case's file store, never by clients.
/// </summary>
public sealed record FileDigest(string Sha256, long Bytes);
