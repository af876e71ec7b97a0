using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Supervision.Domain.Cases;

namespace Supervision.Domain.Tickets;

/// <summary>The ladder of supervision forms (DOMAIN.md §4), in escalation order.</summary>
public enum SupervisionForm
{
    /// <summary>催办.</summary>
    Reminder,

    /// <summary>文书督办: the written supervision notice (督办单).</summary>
    Written,

    /// <summary>约谈督办.</summary>
    Interview,

    /// <summary>实地/联合督办.</summary>
    OnSite,

    /// <summary>Referral to the joint-conference office (联席会议办公室), which may list, circulate, reassign or extend (Art. 39).</summary>
    ConferenceReferral,
}

/// <summary>Why a ticket is raised (Art. 40).</summary>
public enum SupervisionGround
{
    /// <summary>A case clock passed its limit (超期), raised by the case.</summary>
    Overdue,

    /// <summary>A 交办 completion report (办结报告) is late, raised by the case.</summary>
    LateCompletionReport,

    /// <summary>A follow-up (回访) after a 不满意 rating found a fault.</summary>
    DissatisfiedFollowUpFault,

    /// <summary>推诿、敷衍、拖延.</summary>
    Stalling,

    /// <summary>Shifting the item to another body without cause.</summary>
    Shifting,

    /// <summary>弄虚作假: faked results.</summary>
    FakedResults,

    /// <summary>Refused to carry out a handling opinion.</summary>
    RefusedOpinion,
}

/// <summary>Where a ticket stands; the allowed moves are in <see cref="TicketTransitions"/>.</summary>
public enum TicketStatus
{
    New,

    /// <summary>Issued to the agency; awaiting acknowledgement and response.</summary>
    Open,

    Acknowledged,

    /// <summary>The agency responded; the supervisor accepts or rejects.</summary>
    Responded,

    Closed,
}

public enum TicketCloseReason
{
    ResponseAccepted,

    /// <summary>The case closed, became final or left the petition track.</summary>
    CaseClosed,
}

/// <summary>Why a ticket moved one form up.</summary>
public enum EscalationCause
{
    Unanswered,
    ResponseRejected,
}

/// <summary>A decision of the joint-conference office on a referred ticket (Art. 39).</summary>
/// <param name="Listed">挂牌督办.</param>
/// <param name="Circulated">通报.</param>
/// <param name="ReassignTo">Another agency to handle the case.</param>
/// <param name="ExtensionDays">Days added to the case's handling clock.</param>
/// <param name="OwnerLeaderId">A leader assigned to own the case (领导包案, decision O3).</param>
public sealed record ConferenceRuling(bool Listed, bool Circulated, string? ReassignTo, int? ExtensionDays, string? Note, string By, string? OwnerLeaderId = null);

/// <summary>An accountability recommendation (问责建议, Art. 40) and the written reply it is owed.</summary>
/// <param name="TargetUnitId">The body that manages the people involved.</param>
/// <param name="ReplyClock">The written-reply deadline.</param>
public sealed record AccountabilityRecord(string TargetUnitId, string Reason, string By, LegalClock ReplyClock, string? ReplyFile = null, string? RepliedBy = null);

/// <summary>The state of one supervision ticket (督办单). Immutable; the instance snapshot (<see cref="TicketJson.Options"/>).</summary>
public sealed record TicketState
{
    public static TicketState Initial { get; } = new();

    public TicketStatus Status { get; init; } = TicketStatus.New;

    public string? TicketId { get; init; }

    public string? CaseId { get; init; }

    /// <summary>The supervised agency.</summary>
    public string? AgencyId { get; init; }

    /// <summary>The supervising petition bureau.</summary>
    public string? BureauId { get; init; }

    public SupervisionGround Ground { get; init; }

    public SupervisionForm Form { get; init; }

    /// <summary>The case clock whose lapse raised the ticket, if any.</summary>
    public string? ClockName { get; init; }

    /// <summary>What is wrong, in words without petitioner data.</summary>
    public string? Problem { get; init; }

    // The case's accusation data, copied at raise time so the guard needs no case state.
    public Category? Category { get; init; }

    public string? AccusedUnitId { get; init; }

    public string? AccusedPersonId { get; init; }

    public string? RaisedBy { get; init; }

    /// <summary>The current response deadline; a new generation per form.</summary>
    public LegalClock? Response { get; init; }

    public string? AcknowledgedBy { get; init; }

    public string? Report { get; init; }

    public ImmutableList<string> Files { get; init; } = [];

    public string? LastRejection { get; init; }

    public int Escalations { get; init; }

    public bool Listed { get; init; }

    public bool Circulated { get; init; }

    public ImmutableList<ConferenceRuling> Rulings { get; init; } = [];

    public AccountabilityRecord? Accountability { get; init; }

    public TicketCloseReason? CloseReason { get; init; }

    [JsonIgnore]
    public bool IsOpen => Status is TicketStatus.Open or TicketStatus.Acknowledged or TicketStatus.Responded;
}

/// <summary>Deterministic ticket ids (no randomness in the domain).</summary>
public static class TicketIds
{
    /// <summary><c>DB-{caseId}-{clock}-{generation}</c>; a colon in a clock name (<c>cohandler:unit</c>) becomes a dot.</summary>
    public static string ForClock(string caseId, string clock, int generation) => $"DB-{caseId}-{clock.Replace(':', '.')}-{generation}";
}
