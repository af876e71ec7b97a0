using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Cases;

/// <summary>The leader who owns a case (包案领导), as the directory named them when they took it.</summary>
/// <param name="UnitId">The government or Party committee in whose name they own it.</param>
public sealed record CaseOwner(string LeaderId, string Name, string UnitId, LocalDate Since, string? TicketId = null, string? ReceptionId = null);

public sealed partial record CaseState
{
    /// <summary>The owning leader (领导包案), once one has taken the case; one leader at a time, until the case ends.</summary>
    public CaseOwner? Owner { get; init; }
}

/// <summary>
/// Case ownership (领导包案, decisions O1–O3): a leader entitled over the case takes it by decision or after a reception
/// (<see cref="TakeOwnership"/>), or the conference office assigns one as the last rung of the supervision ladder
/// (<see cref="AssignOwnership"/>, from the ticket). One owner; a second leader is refused (409) with the owner's name.
/// </summary>
public sealed partial class CaseDecider
{
    /// <summary>
    /// The unit in whose name <paramref name="personId"/> may own the case: a Leader role at a government or Party committee
    /// whose level's government is over (or is) a unit that has held the case — the units a leader sees the case through
    /// (<see cref="CaseVisibility.CanSee"/>). Null when none; the accusation guard is checked separately.
    /// </summary>
    public string? OwnershipUnitOf(string personId, CaseState s) => OwnershipUnitOf(Org, personId, s);

    /// <summary>The same rule over any directory (the reception desk checks that a leader may receive a case).</summary>
    public static string? OwnershipUnitOf(OrgDirectory org, string personId, CaseState s)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(s);
        if (org.PersonById(personId) is not { } person)
        {
            return null;
        }

        foreach (var grant in person.Roles.Where(r => r.Role == Role.Leader))
        {
            if (org.GovernmentOf(grant.Unit) is { } government && s.InvolvedUnits.Any(u => org.IsAncestorOrSelf(government.Id, u)))
            {
                return grant.Unit;
            }
        }

        return null;
    }

    private static bool SatisfiedOwnership(CaseState s, CaseCommand command) => command switch
    {
        TakeOwnership c => s.Owner?.LeaderId == c.Actor,
        AssignOwnership c => s.Owner?.LeaderId == c.LeaderId,
        _ => false,
    };

    private Decision<CaseEvent> DecideOwnership(CaseState s, string command, string leaderId, string reason, string? ticketId, string? receptionId, Instant now, string by)
    {
        var status = s.Status.ToString();
        if (s.Owner is { } owner && owner.LeaderId != leaderId)
        {
            return Decision<CaseEvent>.Reject(Rejection.Transition(
                command, status, $"the case is already owned (包案) by {owner.Name} since {owner.Since:uuuu-MM-dd}; one leader owns a case until it ends", null));
        }

        if (OwnershipUnitOf(leaderId, s) is not { } unit)
        {
            return Decision<CaseEvent>.Reject(Rejection.Invalid(command, status, $"'{leaderId}' is not a leader of a government or Party committee over the units that held this case"));
        }

        if (AccusationGuard.ExcludesPerson(Org, s, leaderId))
        {
            return Decision<CaseEvent>.Reject(Rejection.Forbidden(command, status, "the leader belongs to the accused unit of this accusation (Arts. 30, 46)"));
        }

        var name = Org.PersonById(leaderId)!.Name;
        return Decision<CaseEvent>.Accept(new OwnershipTaken(leaderId, name, unit, LegalCalendar.LocalDateOf(now), reason, by, ticketId, receptionId));
    }

    private static CaseState EvolveOwnership(CaseState s, OwnershipTaken e) =>
        s with { Owner = new CaseOwner(e.LeaderId, e.LeaderName, e.UnitId, e.On, e.TicketId, e.ReceptionId) };
}
