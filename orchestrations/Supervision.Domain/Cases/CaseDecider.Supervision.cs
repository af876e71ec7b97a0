using System.Collections.Immutable;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.Cases;

/// <summary>A co-handler (协办单位) of a joint assignment and the sub-deadline it owes the lead (Art. 24).</summary>
public sealed record CoHandlerDeadline(string UnitId, LocalDate DueDate);

/// <summary>An extension the conference office granted on a referred ticket.</summary>
public sealed record ConferenceExtension(string TicketId, int Days);

public sealed partial record CaseState
{
    /// <summary>Tickets (督办单) raised about this case; each gets a CloseTicket when the case ends.</summary>
    public ImmutableList<string> OpenTickets { get; init; } = [];

    /// <summary>Listed for supervision by the conference office (挂牌督办).</summary>
    public bool Listed { get; init; }

    /// <summary>Circulated by the conference office (通报).</summary>
    public bool Circulated { get; init; }

    public ImmutableList<ConferenceExtension> ConferenceExtensions { get; init; } = [];

    /// <summary>The approved joint assignment (联合交办) the case follows, if any.</summary>
    public string? JointAssignmentId { get; init; }

    public ImmutableList<CoHandlerDeadline> CoHandlers { get; init; } = [];
}

/// <summary>Clock names added by supervision.</summary>
public static class SupervisionClockNames
{
    public const string CoHandlerPrefix = "cohandler:";

    public static string CoHandler(string unitId) => CoHandlerPrefix + unitId;
}

public sealed partial class CaseDecider
{
    private static bool IsSupervisionCommand(CaseCommand c) =>
        c is ApplyConferenceExtension or ReassignCase or MarkSupervision or ApplyJointAssignment or RecordTicket or AssignOwnership;

    private static bool SatisfiedSupervision(CaseState s, CaseCommand command) => command switch
    {
        ApplyConferenceExtension c => s.ConferenceExtensions.Contains(new ConferenceExtension(c.TicketId, c.Days)),
        ReassignCase c => s.Status == CaseStatus.Routed && s.HandlingUnitId == c.AgencyId,
        MarkSupervision c => s.Status != CaseStatus.New && (s.Listed || !c.Listed) && (s.Circulated || !c.Circulated),
        ApplyJointAssignment c => s.JointAssignmentId == c.AssignmentId,
        RecordTicket c => s.OpenTickets.Contains(c.TicketId),
        _ => false,
    };

    private Decision<CaseEvent> DecideSupervision(CaseState s, CaseCommand command, DecisionContext ctx)
    {
        var h = new SupervisionHandlers(this, s, ctx, command.Name);
        return command switch
        {
            ApplyConferenceExtension c => h.Extend(c),
            ReassignCase c => h.Reassign(c),
            MarkSupervision c => Decision<CaseEvent>.Accept(new SupervisionMarked(c.TicketId, c.Listed, c.Circulated, c.Actor)),
            ApplyJointAssignment c => h.Joint(c),
            RecordTicket c => Decision<CaseEvent>.Accept(new TicketRecorded(c.TicketId)),
            _ => Decision<CaseEvent>.Reject(Rejection.Invalid(command.Name, s.Status.ToString(), "unknown command")),
        };
    }

    /// <summary>When the lead replies, the co-handlers' parts are done too: their sub-clocks stop with the handling clock.</summary>
    private static Decision<CaseEvent> WithCoHandlersStopped(CaseState s, Decision<CaseEvent> d, Instant now)
    {
        if (d.IsRejected || !d.Events.OfType<ReplyIssued>().Any())
        {
            return d;
        }

        var stops = s.ActiveClocks.Where(c => c.Name.StartsWith(SupervisionClockNames.CoHandlerPrefix, StringComparison.Ordinal))
            .Select(c => (CaseEvent)new ClockStopped(c.Name, c.Generation, now, "lead replied"));
        return Decision<CaseEvent>.Accept([.. d.Events, .. stops]);
    }

    private static CaseState EvolveSupervision(CaseState s, CaseEvent e) => e switch
    {
        ConferenceExtensionApplied x => s with { ConferenceExtensions = s.ConferenceExtensions.Add(new ConferenceExtension(x.TicketId, x.Days)) },
        CaseReassigned x => s with
        {
            Status = CaseStatus.Routed,
            ResponsibleUnitId = x.AgencyId,
            HandlingUnitId = x.AgencyId,
            Mode = null,
            Extension = null,
            ObjectionReason = null,
            ObjectionUpheld = null,
            ObjectionDecisionReason = null,
            InvolvedUnits = Involve(s.InvolvedUnits, x.AgencyId),
        },
        SupervisionMarked x => s with { Listed = s.Listed || x.Listed, Circulated = s.Circulated || x.Circulated },
        JointAssignmentApplied x => s with
        {
            Status = CaseStatus.Routed,
            Routing = RoutingKind.Assign,
            ResponsibleUnitId = x.LeadAgencyId,
            HandlingUnitId = x.LeadAgencyId,
            AssignedDueDate = x.LeadDueDate,
            ReportRequired = true,
            JointAssignmentId = x.AssignmentId,
            CoHandlers = [.. x.CoHandlers],
            InvolvedUnits = x.CoHandlers.Aggregate(Involve(s.InvolvedUnits, x.LeadAgencyId), (u, c) => Involve(u, c.UnitId)),
        },
        TicketRecorded x => s.OpenTickets.Contains(x.TicketId) ? s : s with { OpenTickets = s.OpenTickets.Add(x.TicketId) },
        _ => s,
    };

    /// <summary>A red clock raises a ticket with a deterministic id; the case keeps it to close it later.</summary>
    private CaseState WithOverdueTicket(CaseState s, ClockOverdue e) =>
        OverdueTicket(s, e.Name, e.Generation) is { } t && !s.OpenTickets.Contains(t.TicketId) ? s with { OpenTickets = s.OpenTickets.Add(t.TicketId) } : s;

    /// <summary>
    /// The ticket a red clock raises (DOMAIN.md §9): against the clock's responsible unit, supervised by the petition
    /// bureau of that unit's level — for a bureau's own clock, the bureau one level up. Never against an excluded unit.
    /// </summary>
    internal RaiseTicket? OverdueTicket(CaseState s, string clockName, int generation)
    {
        if (s.Clock(clockName) is not { Kind: ClockKind.Obligation } clock || s.CaseId is null)
        {
            return null;
        }

        var unit = clock.ResponsibleUnitId;
        if (AccusationGuard.ExcludesUnit(Org, s, unit))
        {
            return null;
        }

        var bureau = Org.Unit(unit)?.Type == UnitType.PetitionBureau
            ? Org.GovernmentOf(unit)?.Parent is { } up ? Org.PetitionBureauOf(up) : null
            : Org.PetitionBureauOf(unit);
        if (bureau is null || bureau.Id == unit)
        {
            return null;
        }

        var ground = clockName == ClockNames.Assignment ? SupervisionGround.LateCompletionReport : SupervisionGround.Overdue;
        var problem = $"{clock.Rule}已于 {clock.DueDate:uuuu-MM-dd} 届满（{clock.Article}），尚未办结。";
        return new RaiseTicket(
            Actors.System, TicketIds.ForClock(s.CaseId, clockName, generation), s.CaseId, unit, ground, SupervisionForm.Written, problem, bureau.Id,
            s.Category, s.AccusedUnitId, s.AccusedPersonId, clockName);
    }

    /// <summary>Messages to ticket orchestrations: raise on a red clock; close every recorded ticket once the case ends.</summary>
    internal IEnumerable<Effect> SupervisionEffects(CaseState before, CaseEvent e, CaseState after)
    {
        if (e is ClockOverdue overdue && OverdueTicket(after, overdue.Name, overdue.Generation) is { } raise)
        {
            yield return new SendMessage(TicketDecider.Type, raise.TicketId, raise);
        }

        var closing = before.IsOpen && !after.IsOpen ? after.OpenTickets
            : !after.IsOpen && e is TicketRecorded r ? [r.TicketId]
            : [];
        foreach (var id in closing)
        {
            yield return new SendMessage(TicketDecider.Type, id, new CloseTicket(Actors.System));
        }
    }

    /// <summary>The supervision commands' rules, once the table and the actor have been checked.</summary>
    private sealed class SupervisionHandlers(CaseDecider decider, CaseState s, DecisionContext ctx, string command)
    {
        private readonly OrgDirectory org = decider.Org;
        private readonly Instant now = ctx.Now;
        private readonly LocalDate today = LegalCalendar.LocalDateOf(ctx.Now);
        private readonly List<CaseEvent> events = [];

        public Decision<CaseEvent> Extend(ApplyConferenceExtension c)
        {
            if (s.Clock(ClockNames.Handling) is not { IsActive: true } handling)
            {
                return Decision<CaseEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), "the handling clock is not running"));
            }

            if (c.Days is < 1 or > 30 || string.IsNullOrWhiteSpace(c.Reason))
            {
                return Invalid("a conference extension is 1 to 30 days with a reason");
            }

            // Added on top of any Art. 34 extension, so the explanation shows the whole extension and its reasons.
            var ext = handling.Extension is { } x ? new ClockExtension(x.Days + c.Days, $"{x.Reason}；联席会议：{c.Reason}") : new ClockExtension(c.Days, $"联席会议：{c.Reason}");
            events.Add(new ConferenceExtensionApplied(c.TicketId, c.Days, c.Reason, c.Actor));
            events.Add(new ClockRescheduled(decider.Reschedule(handling with { Extension = ext }, decider.Profile(s), now), "conference extension"));
            return Decision<CaseEvent>.Accept([.. events]);
        }

        public Decision<CaseEvent> Reassign(ReassignCase c)
        {
            if (Agency(c.AgencyId) is { } bad)
            {
                return bad;
            }

            events.Add(new CaseReassigned(c.TicketId, s.HandlingUnitId, c.AgencyId, today, c.Reason, c.Actor));
            StopAll("reassigned by the conference office");
            StartAt(c.AgencyId, s.Routing == RoutingKind.Assign && s.AssignedDueDate > today ? s.AssignedDueDate : null);
            return Decision<CaseEvent>.Accept([.. events]);
        }

        public Decision<CaseEvent> Joint(ApplyJointAssignment c)
        {
            if (s.Category is null)
            {
                return Decision<CaseEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), "classify the item before assigning it"));
            }

            if (Agency(c.LeadAgencyId) is { } bad)
            {
                return bad;
            }

            var co = c.CoHandlers ?? [];
            foreach (var h in co)
            {
                if (h.UnitId == c.LeadAgencyId || co.Count(x => x.UnitId == h.UnitId) > 1)
                {
                    return Invalid("each co-handler appears once and is not the lead");
                }

                if (Agency(h.UnitId) is { } badCo)
                {
                    return badCo;
                }

                if (h.DueDate <= today || h.DueDate >= c.LeadDueDate)
                {
                    return Invalid("a co-handler's sub-deadline falls after today and strictly before the lead's deadline");
                }
            }

            if (c.LeadDueDate <= today || c.LeadDueDate > today.PlusYears(1))
            {
                return Invalid("the lead's deadline falls after today and within a year");
            }

            events.Add(new JointAssignmentApplied(c.AssignmentId, c.LeadAgencyId, c.LeadDueDate, [.. co], today, c.Actor));
            StopAll("joint assignment approved");
            StartAt(c.LeadAgencyId, c.LeadDueDate);
            foreach (var h in co)
            {
                events.Add(new ClockStarted(DateClock(SupervisionClockNames.CoHandler(h.UnitId), "协办期限", SupervisionPolicy.Article24, h.UnitId, h.DueDate)));
            }

            return Decision<CaseEvent>.Accept([.. events]);
        }

        private Decision<CaseEvent>? Agency(string unitId)
        {
            if (org.Unit(unitId) is not { Type: UnitType.CompetentAgency or UnitType.Government })
            {
                return Invalid($"'{unitId}' is not a competent agency or government");
            }

            return AccusationGuard.ExcludesUnit(org, s, unitId)
                ? Decision<CaseEvent>.Reject(Rejection.Forbidden(command, s.Status.ToString(), "an accusation is never routed to the accused unit (Arts. 30, 46)"))
                : null;
        }

        /// <summary>A new agency receives the item: Art. 23 acceptance and objection clocks, and the 交办 deadline when there is one.</summary>
        private void StartAt(string agencyId, LocalDate? assignedDue)
        {
            var policy = decider.Policies.Get(s.Policy!);
            var profile = decider.Profile(s);
            events.Add(new ClockStarted(decider.NewClock(s, policy, profile, ClockNames.Acceptance, PolicyRules.Acceptance, today, now, agencyId)));
            events.Add(new ClockStarted(decider.NewClock(s, policy, profile, ClockNames.Objection, PolicyRules.Objection, today, now, agencyId)));
            if (assignedDue is { } due)
            {
                events.Add(new ClockStarted(DateClock(ClockNames.Assignment, "交办期限", "《信访工作条例》第二十二条", agencyId, due)));
            }
        }

        // A clock ending on a date the bureau set; policy rule "assignment" so a policy migration keeps the date.
        private LegalClock DateClock(string name, string rule, string article, string unitId, LocalDate due)
        {
            var clock = new LegalClock(
                name, (s.Clock(name)?.Generation ?? 0) + 1, ClockKind.Obligation, LegalBasis.Law, rule, article, ClockNames.Assignment, today, now,
                Period.DaysBetween(today, due), DayUnit.Natural, [], null, today, now, false, null, null, null, unitId);
            return Started(decider.Schedule(clock, decider.Profile(s)), now);
        }

        private void StopAll(string reason)
        {
            foreach (var clock in s.ActiveClocks.Where(c => c.Kind == ClockKind.Obligation || c.Name == ClockNames.Objection))
            {
                events.Add(new ClockStopped(clock.Name, clock.Generation, now, reason));
            }
        }

        private Decision<CaseEvent> Invalid(string reason) => Decision<CaseEvent>.Reject(Rejection.Invalid(command, s.Status.ToString(), reason));
    }
}
