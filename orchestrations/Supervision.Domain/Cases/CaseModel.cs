using System.Collections.Immutable;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

/// <summary>Where a case stands. The allowed moves between them are in <see cref="CaseTransitions"/>.</summary>
public enum CaseStatus
{
    /// <summary>No events yet.</summary>
    New,

    /// <summary>Registered by a petition bureau (登记); to be classified and routed within 15 days (Art. 22).</summary>
    Registered,

    /// <summary>Received directly by a competent agency; to decide and tell the petitioner within 15 days (Art. 23).</summary>
    ReceivedByAgency,

    /// <summary>Forwarded (转送) or assigned (交办) to an agency; awaiting acceptance or objection (Art. 23).</summary>
    Routed,

    /// <summary>The agency objected that the item is outside its remit; the bureau verifies (Art. 23).</summary>
    ObjectionPending,

    /// <summary>Accepted (受理); the handling clock runs (Art. 34).</summary>
    Accepted,

    /// <summary>Written reply (信访处理意见书) issued; the petitioner may request review within 30 days (Art. 35).</summary>
    Replied,

    /// <summary>Review (复查) by the body one level above (Art. 35).</summary>
    UnderReview,

    /// <summary>Review opinion issued; the petitioner may request re-examination within 30 days (Art. 36).</summary>
    Reviewed,

    /// <summary>Re-examination (复核) one level above the reviewer; hearings pause its clock (Art. 36).</summary>
    UnderReExamination,

    /// <summary>Re-examination concluded: final; the same request on the same facts is not accepted again (Art. 36).</summary>
    Final,

    /// <summary>A remedy window lapsed unused: the last opinion stands.</summary>
    Closed,

    /// <summary>Left the petition track for a legal channel or discipline inspection (诉访分离, Arts. 28, 31).</summary>
    ReferredOut,
}

/// <summary>How the item came in (来信 / 来访 / 来电 / 网上信访).</summary>
public enum Channel
{
    Letter,
    Visit,
    Phone,
    Online,
}

/// <summary>Category of an item (Arts. 29–31).</summary>
public enum Category
{
    /// <summary>建议意见类.</summary>
    Suggestion,

    /// <summary>检举控告类: never disclosed to the accused (Arts. 30, 46).</summary>
    Accusation,

    /// <summary>申诉求决类: handled under the 60-day clock (Art. 34).</summary>
    Complaint,
}

/// <summary>Who registered the item first.</summary>
public enum Intake
{
    Bureau,
    Agency,
}

/// <summary>How a bureau routes an item (Art. 22).</summary>
public enum RoutingKind
{
    /// <summary>转送: forwarded to the competent body.</summary>
    Forward,

    /// <summary>交办: assigned with a bureau-set deadline and a completion report (办结报告).</summary>
    Assign,
}

/// <summary>Where an item leaves the petition track to (诉访分离, Arts. 28, 31(一)–(五)).</summary>
public enum ReferralChannel
{
    Litigation,
    Arbitration,
    AdministrativeReconsideration,
    PartyMemberAppeal,
    OtherLegalProcedure,
    DisciplineInspection,
}

/// <summary>Ordinary handling, or simplified handling (简易办理) of a first petition with clear facts.</summary>
public enum HandlingMode
{
    Ordinary,
    Simplified,
}

/// <summary>Outcome of a written opinion (Art. 32): 支持 / 解释说明 / 不予支持.</summary>
public enum Outcome
{
    Support,
    Explain,
    NotSupport,
}

/// <summary>The petitioner's rating (满意 / 基本满意 / 不满意).</summary>
public enum Rating
{
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

/// <summary>Which opinion a rating is about.</summary>
public enum Stage
{
    Reply,
    Review,
    ReExamination,
}

public enum ClockStatus
{
    Running,

    /// <summary>Stands still (a hearing during re-examination).</summary>
    Paused,

    /// <summary>Its step was done.</summary>
    Stopped,

    /// <summary>A window that ran out unused.</summary>
    Lapsed,
}

/// <summary>How far a running clock has escalated (DOMAIN.md §9). Ordered.</summary>
public enum ClockLevel
{
    None,

    /// <summary>提醒: half time.</summary>
    Reminder,

    /// <summary>预警: yellow.</summary>
    Warning,

    /// <summary>临期: orange.</summary>
    Critical,

    /// <summary>超期: red.</summary>
    Overdue,
}

/// <summary>Traffic light of a clock.</summary>
public enum Light
{
    Green,
    Yellow,
    Orange,
    Red,
}

/// <summary>Who asks. Personal data stays in the case state and never travels in alerts or read-model rows.</summary>
/// <param name="IdNumber">Identity document number, if given; it keys the repeat-petition fingerprint.</param>
/// <param name="Address">Postal address; without name or address no written notice is owed (Art. 23).</param>
public sealed record Petitioner(string Name, string? IdNumber = null, string? Phone = null, string? Address = null);

/// <summary>Well-known actor ids.</summary>
public static class Actors
{
    /// <summary>Timers, migrations and messages from other instances.</summary>
    public const string System = "system";

    /// <summary>
    /// The online portal (网上信访): registers a petition a petitioner submitted on the portal, with channel
    /// <see cref="Channel.Online"/>, at a petition bureau, and records an online repeat on the earlier case (Arts. 19,
    /// 36). It may do nothing else: the registrar of the receiving bureau takes the case from its queue.
    /// </summary>
    public const string Portal = "portal";

    /// <summary>
    /// <c>petitioner:…</c>: the petitioner, who signs in with the case's query code (查询码). New commands name them by
    /// <see cref="PetitionerFor"/> (derived from the stored hash, never the code); old histories carry
    /// <c>petitioner:{query code}</c>.
    /// </summary>
    public const string PetitionerPrefix = "petitioner:";

    /// <summary>How events record the petitioner: never with the query code.</summary>
    public const string PetitionerRecorded = "petitioner";

    private const string HashTag = "#";

    /// <summary>
    /// The petitioner whose code the edge has just verified against <paramref name="queryCodeHash"/>, the case's stored
    /// hash: <c>petitioner:#</c> and 16 hex digits of SHA-256 of that hash. It names which code was checked (so a code
    /// re-issued before the command is decided refuses it) and holds nothing of the code itself.
    /// </summary>
    public static string PetitionerFor(string queryCodeHash)
    {
        ArgumentNullException.ThrowIfNull(queryCodeHash);
        return PetitionerPrefix + HashTag + Convert.ToHexStringLower(
            global::System.Security.Cryptography.SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes("petitioner-actor|" + queryCodeHash)))[..16];
    }

    /// <summary>Whether <paramref name="actor"/> is <see cref="PetitionerFor"/> of <paramref name="queryCodeHash"/>.</summary>
    public static bool Holds(string actor, string? queryCodeHash) =>
        queryCodeHash is not null && string.Equals(actor, PetitionerFor(queryCodeHash), StringComparison.Ordinal);

    /// <summary>Legacy form (<c>petitioner:{query code}</c>), as old histories and domain tests name the petitioner; the edge never makes it.</summary>
    public static string Petitioner(string queryCode) => PetitionerPrefix + queryCode;

    public static bool IsPetitioner(string? actor) => actor is not null && actor.StartsWith(PetitionerPrefix, StringComparison.Ordinal);

    /// <summary>The actor as events record it (<c>By</c>): a petitioner actor loses its query code.</summary>
    public static string Recorded(string actor) => IsPetitioner(actor) ? PetitionerRecorded : actor;
}

/// <summary>
/// A legal clock as it stands: what started it, its limit and basis, pauses and extension, the computed due date and
/// escalation thresholds, and its generation. Events carry the whole clock as computed when it was decided, so a replay
/// never silently moves a deadline when holiday data changes; <see cref="Request"/> recomputes the explanation.
/// </summary>
/// <param name="Name">Clock name in the case: routing, acceptance, objection, assignment, handling, review-window, review, reexam-window, reexam.</param>
/// <param name="Generation">Bumped on every restart or reschedule; timers of older generations are stale.</param>
/// <param name="PolicyRule">The policy rule key it was computed from (<see cref="PolicyRules"/>), or <c>assignment</c>.</param>
/// <param name="Trigger">The local date of the start event; not counted.</param>
/// <param name="StartedAt">When the start event was decided.</param>
/// <param name="ResponsibleUnitId">The unit the clock binds (alerts go to its people).</param>
/// <param name="PausedFrom">First day of an open pause.</param>
/// <param name="EndedAt">When it stopped or lapsed.</param>
public sealed record LegalClock(
    string Name,
    int Generation,
    ClockKind Kind,
    LegalBasis Basis,
    string Rule,
    string Article,
    string PolicyRule,
    LocalDate Trigger,
    Instant StartedAt,
    int Days,
    DayUnit Unit,
    IReadOnlyList<ClockPause> Pauses,
    ClockExtension? Extension,
    LocalDate DueDate,
    Instant DueInstant,
    bool Provisional,
    Instant? ReminderAt,
    Instant? WarningAt,
    Instant? CriticalAt,
    string ResponsibleUnitId,
    ClockStatus Status = ClockStatus.Running,
    ClockLevel Reached = ClockLevel.None,
    LocalDate? PausedFrom = null,
    Instant? EndedAt = null)
{
    [JsonIgnore]
    public bool IsActive => Status is ClockStatus.Running or ClockStatus.Paused;

    /// <summary>The calendar request that reproduces this clock's due date and explanation.</summary>
    public DeadlineRequest Request() => new(Trigger, Days, Unit, Rule, Article, Pauses, Extension);

    /// <summary>The threshold instant of a level, if this clock has one.</summary>
    public Instant? At(ClockLevel level) => level switch
    {
        ClockLevel.Reminder => ReminderAt,
        ClockLevel.Warning => WarningAt,
        ClockLevel.Critical => CriticalAt,
        ClockLevel.Overdue => DueInstant,
        _ => null,
    };

    /// <summary>
    /// The level reached at <paramref name="now"/> by the thresholds alone (monotone in time). A paused clock is frozen
    /// at the start of its pause.
    /// </summary>
    public ClockLevel LevelAt(Instant now)
    {
        if (PausedFrom is { } p)
        {
            var frozen = p.AtStartOfDayInZone(LegalCalendar.Zone).ToInstant();
            now = now < frozen ? now : frozen;
        }

        for (var level = ClockLevel.Overdue; level > ClockLevel.None; level--)
        {
            if (At(level) is { } at && now >= at)
            {
                return level;
            }
        }

        return ClockLevel.None;
    }

    /// <summary>Green until the warning, yellow (预警), orange (临期), red (超期). Windows are green until they lapse.</summary>
    public Light LightAt(Instant now) => LevelAt(now) switch
    {
        ClockLevel.Overdue => Light.Red,
        ClockLevel.Critical => Light.Orange,
        ClockLevel.Warning => Light.Yellow,
        _ => Light.Green,
    };
}

/// <summary>A rating given to one stage's opinion.</summary>
public sealed record StageRating(Stage Stage, Rating Rating);

/// <summary>A later petition on the same matter, recorded on this case (Art. 19 while open, Art. 36 once final).</summary>
/// <param name="UnitId">The unit where it was received.</param>
/// <param name="HeldBy">
/// The unit answerable for the matter when it arrived (<see cref="PetitionRow.AnswerableUnit"/>), set as the event is
/// folded; null in snapshots written before the repeat analysis.
/// </param>
public sealed record RepeatPetition(Instant ReceivedAt, string UnitId, bool Refused, string? HeldBy = null);

/// <summary>
/// The state of one case (信访事项). Immutable; serialized as the instance snapshot with <see cref="CaseJson.Options"/>.
/// </summary>
public sealed partial record CaseState
{
    public static CaseState Initial { get; } = new();

    public CaseStatus Status { get; init; } = CaseStatus.New;

    public string? CaseId { get; init; }

    /// <summary>
    /// Legacy only: snapshots written before hashing held the clear query code. <see cref="CaseDecider.Evolve"/> replaces
    /// it by <see cref="QueryCodeHash"/> at the next event; new states never hold it (and do not write it).
    /// </summary>
    public string? QueryCode { get; init; }

    /// <summary>The salted hash of the petitioner's query code (查询码), see <see cref="QueryCodes"/>.</summary>
    public string? QueryCodeHash { get; init; }

    /// <summary>The latest actor who issued each command (command name → recorded actor); redelivery by the same actor is a no-op.</summary>
    public ImmutableSortedDictionary<string, string> DoneBy { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    public Channel Channel { get; init; }

    public Instant? ReceivedAt { get; init; }

    public LocalDate? ReceivedOn { get; init; }

    public Intake Intake { get; init; }

    /// <summary>The unit that registered the item.</summary>
    public string? RegisteredBy { get; init; }

    /// <summary>The petition bureau that supervises the case: the registering bureau, or the bureau of the receiving agency's level.</summary>
    public string? BureauId { get; init; }

    public Petitioner? Petitioner { get; init; }

    public int GroupSize { get; init; } = 1;

    public int Representatives { get; init; }

    public string? Summary { get; init; }

    /// <summary>Hash of petitioner key + matter key: how a later petition on the same matter is found.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Hash of the matter key alone (<see cref="CaseHashes.MatterFingerprint"/>); null for cases registered before it existed.</summary>
    public string? MatterFingerprint { get; init; }

    public Category? Category { get; init; }

    public string? AccusedUnitId { get; init; }

    public string? AccusedPersonId { get; init; }

    public PolicyRef? Policy { get; init; }

    /// <summary>Reported as a major/urgent item (Art. 25).</summary>
    public bool Major { get; init; }

    /// <summary>Who must act next: the bureau, the agency, the review or re-examination body.</summary>
    public string? ResponsibleUnitId { get; init; }

    /// <summary>The handling agency (the one that replied), the base of "one level above".</summary>
    public string? HandlingUnitId { get; init; }

    public RoutingKind? Routing { get; init; }

    public LocalDate? AssignedDueDate { get; init; }

    public bool ReportRequired { get; init; }

    public string? ReportFile { get; init; }

    public string? ObjectionReason { get; init; }

    public bool? ObjectionUpheld { get; init; }

    public string? ObjectionDecisionReason { get; init; }

    public ReferralChannel? ReferralChannel { get; init; }

    public string? ReferredTo { get; init; }

    public HandlingMode? Mode { get; init; }

    public ClockExtension? Extension { get; init; }

    public LocalDate? PetitionerToldOfExtensionOn { get; init; }

    public Outcome? ReplyOutcome { get; init; }

    public string? ReplyFile { get; init; }

    public string? ReviewBodyId { get; init; }

    public Outcome? ReviewOutcome { get; init; }

    public string? ReviewFile { get; init; }

    public string? ReExamBodyId { get; init; }

    public Outcome? ReExamOutcome { get; init; }

    public string? ReExamFile { get; init; }

    public LocalDate? HearingOpenSince { get; init; }

    public ImmutableList<StageRating> Ratings { get; init; } = [];

    public ImmutableList<RepeatPetition> Repeats { get; init; } = [];

    /// <summary>Every unit that has held the case; its people may see it (minus the accused, <see cref="CaseVisibility"/>).</summary>
    public ImmutableList<string> InvolvedUnits { get; init; } = [];

    public ImmutableSortedDictionary<string, LegalClock> Clocks { get; init; } = ImmutableSortedDictionary.Create<string, LegalClock>(StringComparer.Ordinal);

    [JsonIgnore]
    public bool IsOpen => Status is not (CaseStatus.New or CaseStatus.Final or CaseStatus.Closed or CaseStatus.ReferredOut);

    public LegalClock? Clock(string name) => Clocks.GetValueOrDefault(name);

    [JsonIgnore]
    public IEnumerable<LegalClock> ActiveClocks => Clocks.Values.Where(c => c.IsActive);
}

/// <summary>Clock names in a case.</summary>
public static class ClockNames
{
    public const string Routing = "routing";
    public const string Acceptance = "acceptance";
    public const string Objection = "objection";
    public const string Assignment = "assignment";
    public const string Handling = "handling";
    public const string ReviewWindow = "review-window";
    public const string Review = "review";
    public const string ReExamWindow = "reexam-window";
    public const string ReExam = "reexam";
}
