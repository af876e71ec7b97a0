using System.Collections.Immutable;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Cases;

namespace Supervision.Domain.JointAssignments;

/// <summary>Where a joint assignment (联合交办) stands; the moves are in <see cref="JointTransitions"/>.</summary>
public enum JointStatus
{
    New,

    /// <summary>协商: each agency consents or disputes within the answer window.</summary>
    Consulting,

    /// <summary>A dispute (or silence) is with the common superior or the conference office.</summary>
    Disputed,

    /// <summary>Agreed; the conference office approves, amends or rejects.</summary>
    AwaitingApproval,

    Approved,

    Rejected,
}

/// <summary>Who settles a dispute (Art. 24).</summary>
public enum ResolverKind
{
    /// <summary>共同的上一级机关.</summary>
    CommonSuperior,

    /// <summary>The joint-conference office, when there is no common superior, or when silence or a missed deadline sends it there.</summary>
    ConferenceOffice,
}

/// <summary>Why a dispute went to its resolver.</summary>
public enum ReferralCause
{
    Dispute,
    NoAnswer,
    ResolverMissedDeadline,
}

/// <summary>Lead agency (牵头), its deadline, and co-handlers (协办) with sub-deadlines strictly before it.</summary>
public sealed record JointArrangement(string LeadAgencyId, LocalDate LeadDueDate, ImmutableList<CoHandlerDeadline> CoHandlers)
{
    [JsonIgnore]
    public IEnumerable<string> Parties => [LeadAgencyId, .. CoHandlers.Select(c => c.UnitId)];

    /// <summary>The same lead, date and co-handlers; a command read from JSON may lack any of them (then it is not).</summary>
    public bool SameAs(JointArrangement? other) =>
        other is { CoHandlers: not null } && CoHandlers is not null
        && LeadAgencyId == other.LeadAgencyId && LeadDueDate == other.LeadDueDate && CoHandlers.SequenceEqual(other.CoHandlers);
}

/// <summary>One agency's answer to a proposal.</summary>
public sealed record JointAnswer(bool Consented, string? Reason, string By);

/// <summary>Commands of a joint assignment. Discriminators are a stored contract: never rename.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(ProposeJointAssignment), "propose")]
[JsonDerivedType(typeof(ConsentToJointAssignment), "consent")]
[JsonDerivedType(typeof(DisputeJointAssignment), "dispute")]
[JsonDerivedType(typeof(ResolveDispute), "resolve-dispute")]
[JsonDerivedType(typeof(ApproveJointAssignment), "approve")]
[JsonDerivedType(typeof(AmendJointAssignment), "amend")]
[JsonDerivedType(typeof(RejectJointAssignment), "reject")]
[JsonDerivedType(typeof(JointTimerElapsed), "timer")]
public abstract record JointCommand(string Actor)
{
    [JsonIgnore]
    public string Name => JointTransitions.NameOf(GetType());
}

/// <summary>The bureau registrar proposes a joint assignment for a case (Art. 24); accusation data travels with it for the guard.</summary>
public sealed record ProposeJointAssignment(
    string Actor,
    string AssignmentId,
    string CaseId,
    string BureauId,
    JointArrangement Arrangement,
    Category? Category = null,
    string? AccusedUnitId = null,
    string? AccusedPersonId = null) : JointCommand(Actor);

public sealed record ConsentToJointAssignment(string Actor, string UnitId) : JointCommand(Actor);

public sealed record DisputeJointAssignment(string Actor, string UnitId, string Reason) : JointCommand(Actor);

/// <summary>The common superior (or the conference office) settles the arrangement.</summary>
public sealed record ResolveDispute(string Actor, JointArrangement Arrangement, string Note) : JointCommand(Actor);

public sealed record ApproveJointAssignment(string Actor, string? Note = null) : JointCommand(Actor);

/// <summary>The conference office approves with changes.</summary>
public sealed record AmendJointAssignment(string Actor, JointArrangement Arrangement, string Note) : JointCommand(Actor);

public sealed record RejectJointAssignment(string Actor, string Reason) : JointCommand(Actor);

/// <param name="Key"><c>{window}:remind|due</c>, window = answers, dispute or approval.</param>
public sealed record JointTimerElapsed(string Actor, string Key, int Generation) : JointCommand(Actor);

/// <summary>Past-tense facts of a joint assignment. Discriminators are a stored contract: never rename.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(JointAssignmentProposed), "proposed")]
[JsonDerivedType(typeof(JointAssignmentConsented), "consented")]
[JsonDerivedType(typeof(JointAssignmentDisputed), "disputed")]
[JsonDerivedType(typeof(JointDisputeReferred), "dispute-referred")]
[JsonDerivedType(typeof(JointDisputeResolved), "dispute-resolved")]
[JsonDerivedType(typeof(JointAssignmentSubmitted), "submitted")]
[JsonDerivedType(typeof(JointReminderSent), "reminder")]
[JsonDerivedType(typeof(JointDecisionOverdue), "decision-overdue")]
[JsonDerivedType(typeof(JointAssignmentApproved), "approved")]
[JsonDerivedType(typeof(JointAssignmentAmended), "amended")]
[JsonDerivedType(typeof(JointAssignmentRejected), "rejected")]
public abstract record JointEvent;

/// <param name="Window">The answer window.</param>
public sealed record JointAssignmentProposed(
    string AssignmentId, string CaseId, string BureauId, string ConferenceOfficeId, JointArrangement Arrangement, Category? Category,
    string? AccusedUnitId, string? AccusedPersonId, LegalClock Window, string By) : JointEvent;

public sealed record JointAssignmentConsented(string UnitId, string By) : JointEvent;

public sealed record JointAssignmentDisputed(string UnitId, string Reason, string By) : JointEvent;

/// <param name="Window">The resolver's decision window.</param>
public sealed record JointDisputeReferred(string ResolverUnitId, ResolverKind Resolver, ReferralCause Cause, LegalClock Window) : JointEvent;

public sealed record JointDisputeResolved(JointArrangement Arrangement, string Note, string By) : JointEvent;

/// <summary>Agreed by everyone (or settled): the conference office's approval window opens.</summary>
public sealed record JointAssignmentSubmitted(LegalClock Window) : JointEvent;

public sealed record JointReminderSent(string Window, int Generation, LocalDate DueDate) : JointEvent;

/// <summary>A decider (resolver or conference office) let its window pass; escalated by alert.</summary>
public sealed record JointDecisionOverdue(string Window, int Generation, LocalDate DueDate) : JointEvent;

public sealed record JointAssignmentApproved(string? Note, string By) : JointEvent;

public sealed record JointAssignmentAmended(JointArrangement Arrangement, string Note, string By) : JointEvent;

public sealed record JointAssignmentRejected(string Reason, string By) : JointEvent;

/// <summary>A joint assignment's state as pages show it (the UI never shows an enum name).</summary>
public static class JointNames
{
    public static string Of(JointStatus status) => status switch
    {
        JointStatus.New => "新建",
        JointStatus.Consulting => "协商中",
        JointStatus.Disputed => "争议待裁定",
        JointStatus.AwaitingApproval => "待联席办批准",
        JointStatus.Approved => "已批准",
        _ => "不予批准",
    };
}
