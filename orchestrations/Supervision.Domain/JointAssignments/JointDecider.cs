using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.JointAssignments;

/// <summary>
/// Joint assignment (联合交办, Art. 24, DOMAIN.md §3) as a pure decider: the bureau proposes a lead and co-handlers;
/// each agency consents or disputes within a window; a dispute goes to the common superior (or the conference office
/// when there is none); the conference office approves, amends or rejects. Every wait has a reminder and escalates
/// when missed (the human-interaction pattern). Approval sends <see cref="ApplyJointAssignment"/> to the case.
/// </summary>
public sealed class JointDecider : IDecider<JointState, JointCommand, JointEvent>
{
    public const string Type = "joint";
    public const string AnswersWindow = "answers";
    public const string DisputeWindow = "dispute";
    public const string ApprovalWindow = "approval";

    public JointDecider(LegalCalendar calendar, OrgDirectory org, SupervisionPolicy policy)
    {
        Calendar = calendar;
        Org = org;
        Policy = policy.Validated();
    }

    public static JointDecider Demo { get; } = new(LegalCalendar.Default, OrgDirectory.Demo, SupervisionPolicy.Default);

    public LegalCalendar Calendar { get; }

    public OrgDirectory Org { get; }

    public SupervisionPolicy Policy { get; }

    public string TypeName => Type;

    public JointState Initial => JointState.Initial;

    public Decision<JointEvent> Decide(JointState state, JointCommand command, DecisionContext context)
    {
        if (command is JointTimerElapsed timer)
        {
            return DecideTimer(state, timer, context.Now);
        }

        if (Satisfied(state, command))
        {
            return Decision<JointEvent>.None;
        }

        var name = command.Name;
        var from = state.Status.ToString();
        if (!JointTransitions.Allows(name, state.Status))
        {
            return Decision<JointEvent>.Reject(Rejection.Transition(name, from, JointTransitions.Why(name, state.Status), JointTransitions.For(name)?.To));
        }

        if (Authorize(state, command) is { } forbidden)
        {
            return Decision<JointEvent>.Reject(Rejection.Forbidden(name, from, forbidden));
        }

        var now = context.Now;
        var invalid = command switch
        {
            ProposeJointAssignment c => Check(c.Arrangement, now, Excluded(c.Category, c.AccusedUnitId, c.AccusedPersonId))
                ?? (string.IsNullOrWhiteSpace(c.AssignmentId) || string.IsNullOrWhiteSpace(c.CaseId) ? "assignmentId and caseId are required" : null),
            ConsentToJointAssignment c => Party(state, c.UnitId),
            DisputeJointAssignment c => Party(state, c.UnitId) ?? (string.IsNullOrWhiteSpace(c.Reason) ? "a dispute states its reason" : null),
            ResolveDispute c => Check(c.Arrangement, now, Excluded(state)),
            AmendJointAssignment c => Check(c.Arrangement, now, Excluded(state)),
            RejectJointAssignment c => string.IsNullOrWhiteSpace(c.Reason) ? "a rejection states its reason" : null,
            _ => null,
        };
        if (invalid is not null)
        {
            var kind = invalid.StartsWith(Guarded, StringComparison.Ordinal) ? RejectionKind.Forbidden : RejectionKind.Validation;
            return Decision<JointEvent>.Reject(new Rejection(kind, name, from, invalid));
        }

        return command switch
        {
            ProposeJointAssignment c => Decision<JointEvent>.Accept(new JointAssignmentProposed(
                c.AssignmentId, c.CaseId, c.BureauId, Org.ConferenceOfficeOf(c.BureauId)!.Id, c.Arrangement, c.Category, c.AccusedUnitId, c.AccusedPersonId,
                NewWindow(null, AnswersWindow, Policy.JointAnswerWorkingDays, c.BureauId, now), c.Actor)),
            ConsentToJointAssignment c => Consent(state, c, now),
            DisputeJointAssignment c => Decision<JointEvent>.Accept(new JointAssignmentDisputed(c.UnitId, c.Reason, c.Actor), Refer(state, c.UnitId, ReferralCause.Dispute, now)),
            ResolveDispute c => Decision<JointEvent>.Accept(
                new JointDisputeResolved(c.Arrangement, c.Note, c.Actor),
                state.Resolver == ResolverKind.ConferenceOffice
                    ? new JointAssignmentApproved(c.Note, c.Actor) // the conference office settling it is its approval
                    : new JointAssignmentSubmitted(NewWindow(state.Window, ApprovalWindow, Policy.JointDecisionWorkingDays, state.ConferenceOfficeId!, now))),
            ApproveJointAssignment c => Decision<JointEvent>.Accept(new JointAssignmentApproved(c.Note, c.Actor)),
            AmendJointAssignment c => Decision<JointEvent>.Accept(new JointAssignmentAmended(c.Arrangement, c.Note, c.Actor)),
            RejectJointAssignment c => Decision<JointEvent>.Accept(new JointAssignmentRejected(c.Reason, c.Actor)),
            _ => Decision<JointEvent>.Reject(Rejection.Invalid(name, from, "unknown command")),
        };
    }

    private const string Guarded = "accusation guard:";

    private static bool Satisfied(JointState s, JointCommand command) => command switch
    {
        ProposeJointAssignment c => s.Status != JointStatus.New && s.AssignmentId == c.AssignmentId,
        ConsentToJointAssignment c => c.UnitId is not null && s.Answers.GetValueOrDefault(c.UnitId) is { Consented: true },
        DisputeJointAssignment c => c.UnitId is not null && s.Answers.GetValueOrDefault(c.UnitId) is { Consented: false } a && a.Reason == c.Reason,
        ResolveDispute c => s.ResolutionNote == c.Note && s.Arrangement?.SameAs(c.Arrangement) == true && s.Status is JointStatus.AwaitingApproval or JointStatus.Approved,
        ApproveJointAssignment => s.Status == JointStatus.Approved && !s.Amended,
        AmendJointAssignment c => s is { Status: JointStatus.Approved, Amended: true } && s.Arrangement?.SameAs(c.Arrangement) == true,
        RejectJointAssignment c => s.Status == JointStatus.Rejected && s.RejectionReason == c.Reason,
        _ => false,
    };

    private string? Authorize(JointState s, JointCommand command)
    {
        var actor = command.Actor;
        if (string.IsNullOrWhiteSpace(actor) || Org.PersonById(actor) is null)
        {
            return $"'{command.Name}' must be issued by a known person";
        }

        var propose = command as ProposeJointAssignment;
        if (AccusationGuard.ExcludesPerson(Org, propose?.Category ?? s.Category, propose?.AccusedUnitId ?? s.AccusedUnitId, propose?.AccusedPersonId ?? s.AccusedPersonId, actor))
        {
            return "the actor is the accused or belongs to the accused unit of this accusation (Arts. 30, 46)";
        }

        bool Has(Role role, string? unit) => unit is not null && Org.HasRole(actor, role, unit);
        return command switch
        {
            ProposeJointAssignment c => Org.Unit(c.BureauId)?.Type == UnitType.PetitionBureau && Has(Role.Registrar, c.BureauId) && Org.ConferenceOfficeOf(c.BureauId) is not null
                ? null : "only a registrar of the petition bureau proposes a joint assignment",
            ConsentToJointAssignment c => Has(Role.HandlingOfficer, c.UnitId) || Has(Role.AgencyHead, c.UnitId) ? null : "only the agency's handling officer or head answers for it",
            DisputeJointAssignment c => Has(Role.HandlingOfficer, c.UnitId) || Has(Role.AgencyHead, c.UnitId) ? null : "only the agency's handling officer or head answers for it",
            ResolveDispute when s.Resolver == ResolverKind.ConferenceOffice => Has(Role.ConferenceStaff, s.ResolverUnitId) ? null : "only the conference office settles this dispute",
            ResolveDispute => Has(Role.Leader, s.ResolverUnitId) || Has(Role.AgencyHead, s.ResolverUnitId) ? null : "only the leader or head of the common superior settles this dispute (Art. 24)",
            _ => Has(Role.ConferenceStaff, s.ConferenceOfficeId) ? null : "only the conference office approves, amends or rejects",
        };
    }

    private Decision<JointEvent> Consent(JointState s, ConsentToJointAssignment c, Instant now)
    {
        var consented = new JointAssignmentConsented(c.UnitId, c.Actor);
        var all = s.Arrangement!.Parties.All(p => p == c.UnitId || s.Answers.GetValueOrDefault(p) is { Consented: true });
        return all
            ? Decision<JointEvent>.Accept(consented, new JointAssignmentSubmitted(NewWindow(s.Window, ApprovalWindow, Policy.JointDecisionWorkingDays, s.ConferenceOfficeId!, now)))
            : Decision<JointEvent>.Accept(consented);
    }

    /// <summary>
    /// The common superior of the disputing agency and the lead (of every party when the lead disputes), unless it
    /// is missing or accused; else the conference office. Silence and a resolver's missed deadline go to the office.
    /// </summary>
    private JointDisputeReferred Refer(JointState s, string? disputer, ReferralCause cause, Instant now)
    {
        var lead = s.Arrangement!.LeadAgencyId;
        string[] units = disputer is null ? [] : disputer == lead ? [.. s.Arrangement.Parties] : [disputer, lead];
        var superior = units.Length < 2 ? null : Org.Ancestors(units[0]).FirstOrDefault(a => units.All(u => u != a.Id && Org.IsAncestorOrSelf(a.Id, u)));
        var (unit, kind) = superior is not null && !Excluded(s).Contains(superior.Id)
            ? (superior.Id, ResolverKind.CommonSuperior)
            : (s.ConferenceOfficeId!, ResolverKind.ConferenceOffice);
        return new JointDisputeReferred(unit, kind, cause, NewWindow(s.Window, DisputeWindow, Policy.JointDecisionWorkingDays, unit, now));
    }

    private Decision<JointEvent> DecideTimer(JointState s, JointTimerElapsed t, Instant now)
    {
        var (window, suffix) = SupervisionClocks.Split(t.Key);
        if (s.Window is not { } w || w.Name != window || !SupervisionClocks.IsCurrent(w, suffix, t.Generation, now)
            || s.Status is JointStatus.Approved or JointStatus.Rejected)
        {
            return Decision<JointEvent>.None;
        }

        if (suffix == SupervisionClocks.Remind)
        {
            return Decision<JointEvent>.Accept(new JointReminderSent(w.Name, w.Generation, w.DueDate));
        }

        return (s.Status, s.Resolver) switch
        {
            (JointStatus.Consulting, _) => Decision<JointEvent>.Accept(Refer(s, null, ReferralCause.NoAnswer, now)),
            (JointStatus.Disputed, ResolverKind.CommonSuperior) => Decision<JointEvent>.Accept(
                new JointDecisionOverdue(w.Name, w.Generation, w.DueDate), Refer(s, null, ReferralCause.ResolverMissedDeadline, now)),
            _ => Decision<JointEvent>.Accept(new JointDecisionOverdue(w.Name, w.Generation, w.DueDate)),
        };
    }

    private LegalClock NewWindow(LegalClock? previous, string name, int workingDays, string unitId, Instant now) =>
        SupervisionClocks.Start(
            Calendar, name, (previous?.Generation ?? 0) + 1, name switch
            {
                AnswersWindow => "联合交办协商期限",
                DisputeWindow => "联合交办争议裁定期限",
                _ => "联合交办审批期限",
            }, SupervisionPolicy.Article24, $"joint.{name}", LegalCalendar.LocalDateOf(now), now, workingDays, DayUnit.Working, unitId,
            Policy.ReminderWorkingDaysLeft);

    /// <summary>Lead and co-handlers: known agencies, not accused, sub-deadlines strictly before the lead's; null when fine.</summary>
    private string? Check(JointArrangement? a, Instant now, IReadOnlySet<string> excluded)
    {
        var today = LegalCalendar.LocalDateOf(now);
        if (a is null || a.CoHandlers is null || a.CoHandlers.Count == 0)
        {
            return "a joint assignment names a lead and at least one co-handler";
        }

        var parties = a.Parties.ToList();
        if (parties.Distinct(StringComparer.Ordinal).Count() != parties.Count)
        {
            return "each agency appears once";
        }

        if (parties.FirstOrDefault(p => Org.Unit(p) is not { Type: UnitType.CompetentAgency or UnitType.Government }) is { } bad)
        {
            return $"'{bad}' is not a competent agency or government";
        }

        if (parties.FirstOrDefault(excluded.Contains) is { } accused)
        {
            return $"{Guarded} an accusation never goes to the accused unit '{accused}' (Arts. 30, 46)";
        }

        if (a.LeadDueDate <= today || a.LeadDueDate > today.PlusYears(1))
        {
            return "the lead's deadline falls after today and within a year";
        }

        return a.CoHandlers.Any(c => c.DueDate <= today || c.DueDate >= a.LeadDueDate)
            ? "each co-handler's sub-deadline falls after today and strictly before the lead's deadline"
            : null;
    }

    private static string? Party(JointState s, string unitId) =>
        s.Arrangement!.Parties.Contains(unitId) ? null : $"'{unitId}' is not a party to this joint assignment";

    internal IReadOnlySet<string> Excluded(JointState s) => Excluded(s.Category, s.AccusedUnitId, s.AccusedPersonId);

    private IReadOnlySet<string> Excluded(Category? category, string? unit, string? person) => AccusationGuard.ExcludedUnits(Org, category, unit, person);

    // ───────────────────────────── Evolve ─────────────────────────────

    public JointState Evolve(JointState state, JointEvent @event) => @event switch
    {
        JointAssignmentProposed e => state with
        {
            Status = JointStatus.Consulting,
            AssignmentId = e.AssignmentId,
            CaseId = e.CaseId,
            BureauId = e.BureauId,
            ConferenceOfficeId = e.ConferenceOfficeId,
            Arrangement = e.Arrangement,
            Category = e.Category,
            AccusedUnitId = e.AccusedUnitId,
            AccusedPersonId = e.AccusedPersonId,
            Window = e.Window,
            ProposedBy = e.By,
        },
        JointAssignmentConsented e => state with { Answers = state.Answers.SetItem(e.UnitId, new JointAnswer(true, null, e.By)) },
        JointAssignmentDisputed e => state with { Answers = state.Answers.SetItem(e.UnitId, new JointAnswer(false, e.Reason, e.By)) },
        JointDisputeReferred e => state with { Status = JointStatus.Disputed, ResolverUnitId = e.ResolverUnitId, Resolver = e.Resolver, Window = e.Window },
        JointDisputeResolved e => state with { Arrangement = e.Arrangement, ResolutionNote = e.Note, Window = Stopped(state.Window) },
        JointAssignmentSubmitted e => state with { Status = JointStatus.AwaitingApproval, Window = e.Window },
        JointReminderSent e => state with { Window = Reach(state.Window, e.Generation, ClockLevel.Reminder) },
        JointDecisionOverdue e => state with { Window = Reach(state.Window, e.Generation, ClockLevel.Overdue) },
        JointAssignmentApproved e => state with { Status = JointStatus.Approved, DecisionNote = e.Note, Window = Stopped(state.Window) },
        JointAssignmentAmended e => state with { Status = JointStatus.Approved, Arrangement = e.Arrangement, Amended = true, DecisionNote = e.Note, Window = Stopped(state.Window) },
        JointAssignmentRejected e => state with { Status = JointStatus.Rejected, RejectionReason = e.Reason, Window = Stopped(state.Window) },
        _ => state,
    };

    private static LegalClock? Stopped(LegalClock? w) => w is { Status: ClockStatus.Running } ? w with { Status = ClockStatus.Stopped } : w;

    private static LegalClock? Reach(LegalClock? w, int generation, ClockLevel level) =>
        w is not null && w.Generation == generation ? SupervisionClocks.Reach(w, level) : w;

    // ───────────────────────────── Timers and effects ─────────────────────────────

    public IReadOnlyList<DurableTimer> Timers(JointState state) => [.. SupervisionClocks.Timers(state.Window)];

    public JointCommand OnTimer(TimerFired fired) => new JointTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(JointState before, JointEvent @event, JointState after, EffectContext context) =>
        JointEffects.Of(this, @event, after, context);
}
