using System.Text.RegularExpressions;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Tickets;

/// <summary>
/// The supervision ticket (督办单) as a pure decider, one orchestration per ticket (Arts. 38–46, DOMAIN.md §4, §9).
/// Order of checks as in <see cref="CaseDecider"/>: timers; redelivery (nothing); the transitions table (409); actor,
/// role and accusation guard (403); the command's data (400).
/// </summary>
public sealed partial class TicketDecider : IDecider<TicketState, TicketCommand, TicketEvent>
{
    public const string Type = "ticket";
    public const string ResponseClock = "response";
    public const string AccountabilityClock = "accountability";

    public TicketDecider(LegalCalendar calendar, OrgDirectory org, SupervisionPolicy policy)
    {
        Calendar = calendar;
        Org = org;
        Policy = policy.Validated();
    }

    public static TicketDecider Demo { get; } = new(LegalCalendar.Default, OrgDirectory.Demo, SupervisionPolicy.Default);

    public LegalCalendar Calendar { get; }

    public OrgDirectory Org { get; }

    public SupervisionPolicy Policy { get; }

    public string TypeName => Type;

    public TicketState Initial => TicketState.Initial;

    /// <summary>Grounds a case raises by itself; the other Art. 40 grounds need a supervisor's judgement.</summary>
    public static bool IsAutomatic(SupervisionGround g) => g is SupervisionGround.Overdue or SupervisionGround.LateCompletionReport;

    public Decision<TicketEvent> Decide(TicketState state, TicketCommand command, DecisionContext context)
    {
        if (command is TicketTimerElapsed timer)
        {
            return DecideTimer(state, timer, context.Now);
        }

        if (Satisfied(state, command))
        {
            return Decision<TicketEvent>.None;
        }

        var name = command.Name;
        var from = state.Status.ToString();
        if (!TicketTransitions.Allows(name, state.Status))
        {
            return Decision<TicketEvent>.Reject(Rejection.Transition(name, from, TicketTransitions.Why(name, state.Status), TicketTransitions.For(name)?.To));
        }

        if (Authorize(state, command) is { } forbidden)
        {
            return Decision<TicketEvent>.Reject(Rejection.Forbidden(name, from, forbidden));
        }

        var h = new Handlers(this, state, context, name);
        return command switch
        {
            RaiseTicket c => h.Raise(c),
            AcknowledgeTicket c => Handlers.Accept(new TicketAcknowledged(context.Now, c.Actor)),
            RespondToTicket c => h.Respond(c),
            AcceptResponse c => Handlers.Accept(new TicketResponseAccepted(c.Comment, c.Actor)),
            RejectResponse c => h.Reject(c),
            ConferenceDecision c => h.Conference(c),
            RecommendAccountability c => h.Recommend(c),
            RecordAccountabilityReply c => h.Reply(c),
            CloseTicket c => Handlers.Accept(new TicketClosed(c.Reason, c.Actor)),
            _ => Decision<TicketEvent>.Reject(Rejection.Invalid(name, from, "unknown command")),
        };
    }

    /// <summary>Redelivery: the state already shows exactly what this command produced.</summary>
    private static bool Satisfied(TicketState s, TicketCommand command) => command switch
    {
        RaiseTicket c => s.Status != TicketStatus.New && s.TicketId == c.TicketId && s.CaseId == c.CaseId && s.AgencyId == c.AgencyId,
        AcknowledgeTicket => s.AcknowledgedBy is not null && s.Status != TicketStatus.New,
        RespondToTicket c => s.Status == TicketStatus.Responded && s.Report == c.Report && s.Files.SequenceEqual(c.Files ?? []),
        AcceptResponse => s is { Status: TicketStatus.Closed, CloseReason: TicketCloseReason.ResponseAccepted },
        RejectResponse c => s.Status is TicketStatus.Open or TicketStatus.Acknowledged && s.LastRejection == c.Reason,
        ConferenceDecision c => s.Rulings.Any(r => r == new ConferenceRuling(c.Listed, c.Circulated, c.ReassignTo, c.ExtensionDays, c.Note, r.By, c.OwnerLeaderId)),
        RecommendAccountability c => s.Accountability is { } a && a.TargetUnitId == c.TargetUnitId && a.Reason == c.Reason,
        RecordAccountabilityReply c => s.Accountability?.ReplyFile == c.ReplyFile,
        CloseTicket => s.Status == TicketStatus.Closed,
        _ => false,
    };

    /// <summary>Role and scope of the actor and the accusation guard on the actor; null when allowed.</summary>
    private string? Authorize(TicketState s, TicketCommand command)
    {
        var actor = command.Actor;
        var raise = command as RaiseTicket;
        var bureau = raise is null ? s.BureauId : raise.BureauId ?? Org.PetitionBureauOf(raise.AgencyId)?.Id;
        if (string.IsNullOrWhiteSpace(actor))
        {
            return "the command names no actor";
        }

        if (actor == Actors.System)
        {
            return command switch
            {
                RaiseTicket c when IsAutomatic(c.Ground) || c.Ground == SupervisionGround.DissatisfiedFollowUpFault => null,
                CloseTicket => null,
                _ => $"'{command.Name}' must be issued by a person",
            };
        }

        if (Org.PersonById(actor) is null)
        {
            return $"unknown actor '{actor}'";
        }

        var (category, accusedUnit, accusedPerson) = raise is null
            ? (s.Category, s.AccusedUnitId, s.AccusedPersonId)
            : (raise.Category, raise.AccusedUnitId, raise.AccusedPersonId);
        if (AccusationGuard.ExcludesPerson(Org, category, accusedUnit, accusedPerson, actor))
        {
            return "the actor is the accused or belongs to the accused unit of this accusation (Arts. 30, 46)";
        }

        bool Has(Role role, string? unit) => unit is not null && Org.HasRole(actor, role, unit);
        bool Staff(string? unit) => Has(Role.HandlingOfficer, unit) || Has(Role.AgencyHead, unit)
            || (Org.Unit(unit)?.Type == UnitType.PetitionBureau && (Has(Role.Registrar, unit) || Has(Role.Supervisor, unit)));
        var supervisor = Has(Role.Supervisor, bureau);
        var conference = bureau is not null && Has(Role.ConferenceStaff, Org.ConferenceOfficeOf(bureau)?.Id);

        return command switch
        {
            RaiseTicket c when IsAutomatic(c.Ground) => "overdue and late-report tickets are raised by the case clocks, not by hand",
            RaiseTicket => supervisor ? null : "only a supervisor of the supervising petition bureau raises a ticket by hand",
            AcknowledgeTicket or RespondToTicket => Staff(s.AgencyId) ? null : "only a handling officer or the head of the supervised agency may do this",
            AcceptResponse or RejectResponse => supervisor ? null : "only a supervisor of the supervising petition bureau reviews the response",
            ConferenceDecision => conference ? null : "only staff of the conference office of the bureau's level decide on a referral",
            RecommendAccountability => supervisor || conference ? null : "only the supervising bureau or its conference office recommends accountability",
            RecordAccountabilityReply when s.Accountability is null => null, // nothing is owed: the handler answers 409
            RecordAccountabilityReply => Staff(s.Accountability?.TargetUnitId) || Has(Role.Leader, s.Accountability?.TargetUnitId)
                ? null : "only the body the recommendation went to records its reply",
            _ => "not allowed",
        };
    }

    private Decision<TicketEvent> DecideTimer(TicketState s, TicketTimerElapsed t, Instant now)
    {
        var (clock, suffix) = SupervisionClocks.Split(t.Key);
        if (clock == ResponseClock && s.Status is TicketStatus.Open or TicketStatus.Acknowledged
            && SupervisionClocks.IsCurrent(s.Response, suffix, t.Generation, now))
        {
            var r = s.Response!;
            if (suffix == SupervisionClocks.Remind)
            {
                return Decision<TicketEvent>.Accept(new TicketReminderSent(r.Generation, r.DueDate));
            }

            return s.Form == SupervisionForm.ConferenceReferral
                ? Decision<TicketEvent>.Accept(new TicketDeadlineMissed(s.Form, r.Generation, r.DueDate))
                : Decision<TicketEvent>.Accept(Escalate(s, now, null, EscalationCause.Unanswered));
        }

        if (clock == AccountabilityClock && suffix == SupervisionClocks.Due
            && SupervisionClocks.IsCurrent(s.Accountability?.ReplyClock, suffix, t.Generation, now))
        {
            var a = s.Accountability!.ReplyClock;
            return Decision<TicketEvent>.Accept(new AccountabilityReplyOverdue(a.Generation, a.DueDate));
        }

        return Decision<TicketEvent>.None; // stale generation, early, or already recorded
    }

    /// <summary>One form up (the top form keeps its form) with a new response deadline of the next generation.</summary>
    internal TicketEscalated Escalate(TicketState s, Instant now, LocalDate? due, EscalationCause cause)
    {
        var to = s.Form == SupervisionForm.ConferenceReferral ? s.Form : s.Form + 1;
        return new TicketEscalated(s.Form, to, ResponseDeadline(to, s.AgencyId!, now, (s.Response?.Generation ?? 0) + 1, due), cause);
    }

    internal LegalClock ResponseDeadline(SupervisionForm form, string agencyId, Instant now, int generation, LocalDate? due = null)
    {
        var today = LegalCalendar.LocalDateOf(now);
        var rule = $"督办答复期限（{FormNames.Of(form)}）";
        return due is { } d
            ? SupervisionClocks.Until(Calendar, ResponseClock, generation, rule, SupervisionPolicy.Article40, $"ticket.response.{form}", today, now, d, agencyId, Policy.ReminderWorkingDaysLeft)
            : SupervisionClocks.Start(Calendar, ResponseClock, generation, rule, SupervisionPolicy.Article40, $"ticket.response.{form}", today, now,
                Policy.ResponseDays(form), DayUnit.Working, agencyId, Policy.ReminderWorkingDaysLeft);
    }

    // ───────────────────────────── Evolve ─────────────────────────────

    public TicketState Evolve(TicketState state, TicketEvent @event) => @event switch
    {
        TicketRaised e => state with
        {
            Status = TicketStatus.Open,
            TicketId = e.TicketId,
            CaseId = e.CaseId,
            AgencyId = e.AgencyId,
            BureauId = e.BureauId,
            Ground = e.Ground,
            Form = e.Form,
            Problem = e.Problem,
            Category = e.Category,
            AccusedUnitId = e.AccusedUnitId,
            AccusedPersonId = e.AccusedPersonId,
            ClockName = e.ClockName,
            Response = e.Response,
            RaisedBy = e.By,
        },
        TicketAcknowledged e => state with { Status = TicketStatus.Acknowledged, AcknowledgedBy = e.By },
        TicketResponded e => state with
        {
            Status = TicketStatus.Responded,
            Report = e.Report,
            Files = [.. e.Files],
            Response = state.Response is null ? null : SupervisionClocks.Stop(state.Response, e.At),
        },
        TicketResponseAccepted => state with { Status = TicketStatus.Closed, CloseReason = TicketCloseReason.ResponseAccepted },
        TicketResponseRejected e => state with { Status = TicketStatus.Open, LastRejection = e.Reason },
        TicketEscalated e => state with { Form = e.To, Response = e.Response, Escalations = state.Escalations + (e.To > e.From ? 1 : 0) },
        TicketReminderSent e => state with { Response = ReachResponse(state, e.Generation, ClockLevel.Reminder) },
        TicketDeadlineMissed e => state with { Response = ReachResponse(state, e.Generation, ClockLevel.Overdue) },
        ConferenceDecided e => state with
        {
            Listed = state.Listed || e.Listed,
            Circulated = state.Circulated || e.Circulated,
            Rulings = state.Rulings.Add(new ConferenceRuling(e.Listed, e.Circulated, e.ReassignTo, e.ExtensionDays, e.Note, e.By, e.OwnerLeaderId)),
        },
        AccountabilityRecommended e => state with { Accountability = new AccountabilityRecord(e.TargetUnitId, e.Reason, e.By, e.ReplyClock) },
        AccountabilityReplied e when state.Accountability is { } a => state with
        {
            Accountability = a with { ReplyFile = e.ReplyFile, RepliedBy = e.By, ReplyClock = SupervisionClocks.Stop(a.ReplyClock, e.At) },
        },
        AccountabilityReplyOverdue e when state.Accountability is { } a && a.ReplyClock.Generation == e.Generation => state with
        {
            Accountability = a with { ReplyClock = SupervisionClocks.Reach(a.ReplyClock, ClockLevel.Overdue) },
        },
        TicketClosed e => state with
        {
            Status = TicketStatus.Closed,
            CloseReason = state.CloseReason ?? e.Reason,
            Response = state.Response is { Status: ClockStatus.Running } r ? r with { Status = ClockStatus.Stopped } : state.Response,
        },
        _ => state,
    };

    private static LegalClock? ReachResponse(TicketState s, int generation, ClockLevel level) =>
        s.Response is { } r && r.Generation == generation ? SupervisionClocks.Reach(r, level) : s.Response;

    // ───────────────────────────── Timers ─────────────────────────────

    /// <summary><c>response:remind|due</c> while the agency owes a response; <c>accountability:due</c> while a reply is owed.</summary>
    public IReadOnlyList<DurableTimer> Timers(TicketState state) =>
    [
        .. state.Status is TicketStatus.Open or TicketStatus.Acknowledged ? SupervisionClocks.Timers(state.Response) : [],
        .. SupervisionClocks.Timers(state.Accountability?.ReplyClock),
    ];

    public TicketCommand OnTimer(TimerFired fired) => new TicketTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(TicketState before, TicketEvent @event, TicketState after, EffectContext context) =>
        TicketEffects.Of(this, before, @event, after, context);

    // ───────────────────────────── Handlers ─────────────────────────────

    private sealed partial class Handlers(TicketDecider decider, TicketState s, DecisionContext ctx, string command)
    {
        private readonly OrgDirectory org = decider.Org;
        private readonly LocalDate today = LegalCalendar.LocalDateOf(ctx.Now);

        public static Decision<TicketEvent> Accept(params TicketEvent[] events) => Decision<TicketEvent>.Accept(events);

        public Decision<TicketEvent> Raise(RaiseTicket c)
        {
            if (Blank(c.TicketId) || Blank(c.CaseId))
            {
                return Invalid("ticketId and caseId are required");
            }

            var agency = org.Unit(c.AgencyId);
            if (agency is null || agency.Type is not (UnitType.CompetentAgency or UnitType.Government or UnitType.PetitionBureau))
            {
                return Invalid($"'{c.AgencyId}' is not an agency, government or petition bureau");
            }

            if (c.Category != Category.Accusation && (c.AccusedUnitId is not null || c.AccusedPersonId is not null))
            {
                return Invalid("only an accusation (检举控告) names an accused unit or person");
            }

            if (AccusationGuard.ExcludedUnits(org, c.Category, c.AccusedUnitId, c.AccusedPersonId).Contains(agency.Id))
            {
                return Forbidden("a ticket about an accusation never goes to the accused unit (Arts. 30, 46)");
            }

            var bureau = org.Unit(c.BureauId ?? org.PetitionBureauOf(agency.Id)?.Id);
            if (bureau is null || bureau.Type != UnitType.PetitionBureau || bureau.Id == agency.Id)
            {
                return Invalid("the supervising body must be a petition bureau other than the supervised unit");
            }

            if (!Enum.IsDefined(c.Form) || c.Form == SupervisionForm.ConferenceReferral)
            {
                return Invalid("a ticket starts at most at on-site supervision; the conference office is reached by escalation");
            }

            var response = decider.ResponseDeadline(c.Form, agency.Id, ctx.Now, 1);
            return Accept(new TicketRaised(
                c.TicketId, c.CaseId, agency.Id, bureau.Id, c.Ground, c.Form, c.Problem, c.Category, c.AccusedUnitId, c.AccusedPersonId,
                c.ClockName, response, c.Actor));
        }

        public Decision<TicketEvent> Respond(RespondToTicket c)
        {
            if (Blank(c.Report))
            {
                return Invalid("the response states what was done");
            }

            if ((c.Files ?? []).FirstOrDefault(f => !FileRef().IsMatch(f ?? string.Empty)) is { } bad)
            {
                return Invalid($"file reference '{bad}' is not '{{blobId}}@sha256:{{64 hex}}'");
            }

            var late = ctx.Now >= s.Response!.DueInstant;
            return Accept(new TicketResponded(c.Report, [.. c.Files ?? []], ctx.Now, late, c.Actor));
        }

        public Decision<TicketEvent> Reject(RejectResponse c)
        {
            if (Blank(c.Reason))
            {
                return Invalid("a rejection states its reason");
            }

            if (c.NewDueDate is { } due && (due <= today || due > today.PlusDays(90)))
            {
                return Invalid("the new deadline falls after today and within 90 days");
            }

            return Accept(new TicketResponseRejected(c.Reason, c.Actor), decider.Escalate(s, ctx.Now, c.NewDueDate, EscalationCause.ResponseRejected));
        }

        public Decision<TicketEvent> Conference(ConferenceDecision c)
        {
            if (s.Form != SupervisionForm.ConferenceReferral)
            {
                return Decision<TicketEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), "the ticket has not been referred to the conference office"));
            }

            if (!c.Listed && !c.Circulated && c.ReassignTo is null && c.ExtensionDays is null && c.OwnerLeaderId is null)
            {
                return Invalid("a decision lists, circulates, reassigns, extends or assigns a leader to own the case");
            }

            if (c.OwnerLeaderId is { } leader)
            {
                // The case checks that the leader is over its units (decision O3); here only what the ticket knows.
                if (org.PersonById(leader) is not { } person || !person.Roles.Any(r => r.Role == Role.Leader))
                {
                    return Invalid($"'{leader}' is not a leader in the org directory (ownerLeaderId)");
                }

                if (leader == s.AccusedPersonId || org.UnitsOf(leader).Any(Excluded().Contains))
                {
                    return Forbidden("an accusation is never owned by the accused or a leader of the accused unit (Arts. 30, 46)");
                }
            }

            if (c.ExtensionDays is < 1 or > 30)
            {
                return Invalid("an extension is 1 to 30 days");
            }

            if (c.ReassignTo is { } to)
            {
                if (org.Unit(to) is not { Type: UnitType.CompetentAgency or UnitType.Government } || to == s.AgencyId)
                {
                    return Invalid($"'{to}' is not another competent agency or government");
                }

                if (Excluded().Contains(to))
                {
                    return Forbidden("an accusation is never reassigned to the accused unit (Arts. 30, 46)");
                }
            }

            return Accept(new ConferenceDecided(c.Listed, c.Circulated, c.ReassignTo, c.ExtensionDays, c.Note, c.Actor, c.OwnerLeaderId));
        }

        public Decision<TicketEvent> Recommend(RecommendAccountability c)
        {
            if (s.Accountability is not null)
            {
                return Decision<TicketEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), "accountability was already recommended on this ticket"));
            }

            if (Blank(c.Reason) || org.Unit(c.TargetUnitId) is null)
            {
                return Invalid("a recommendation names a known target body and its reason");
            }

            if (Excluded().Contains(c.TargetUnitId))
            {
                return Forbidden("an accusation's material never goes to the accused unit (Arts. 30, 46)");
            }

            var clock = SupervisionClocks.Start(
                decider.Calendar, AccountabilityClock, 1, "问责书面答复期限", SupervisionPolicy.Article40, "ticket.accountability", today, ctx.Now,
                decider.Policy.AccountabilityReplyDays, DayUnit.Natural, c.TargetUnitId, 0);
            return Accept(new AccountabilityRecommended(c.TargetUnitId, c.Reason, clock, c.Actor));
        }

        public Decision<TicketEvent> Reply(RecordAccountabilityReply c)
        {
            if (s.Accountability is not { } a || a.ReplyFile is not null)
            {
                return Decision<TicketEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), "no accountability reply is owed"));
            }

            return Blank(c.ReplyFile) ? Invalid("the written reply is a stored file") : Accept(new AccountabilityReplied(c.ReplyFile, ctx.Now, c.Actor));
        }

        private IReadOnlySet<string> Excluded() => AccusationGuard.ExcludedUnits(org, s.Category, s.AccusedUnitId, s.AccusedPersonId);

        private Decision<TicketEvent> Invalid(string reason) => Decision<TicketEvent>.Reject(Rejection.Invalid(command, s.Status.ToString(), reason));

        private Decision<TicketEvent> Forbidden(string reason) => Decision<TicketEvent>.Reject(Rejection.Forbidden(command, s.Status.ToString(), reason));

        private static bool Blank(string? text) => string.IsNullOrWhiteSpace(text);

        [GeneratedRegex("^[^@\\s]+@sha256:[0-9a-f]{64}$")]
        private static partial Regex FileRef();
    }
}

/// <summary>Names of the forms as documents show them.</summary>
public static class FormNames
{
    public static string Of(SupervisionForm form) => form switch
    {
        SupervisionForm.Reminder => "催办",
        SupervisionForm.Written => "文书督办",
        SupervisionForm.Interview => "约谈督办",
        SupervisionForm.OnSite => "实地督办",
        _ => "提请联席会议",
    };

    public static string Of(SupervisionGround ground) => ground switch
    {
        SupervisionGround.Overdue => "超期未办",
        SupervisionGround.LateCompletionReport => "逾期未报送办结报告",
        SupervisionGround.DissatisfiedFollowUpFault => "不满意回访发现问题",
        SupervisionGround.Stalling => "推诿、敷衍、拖延",
        SupervisionGround.Shifting => "推卸责任",
        SupervisionGround.FakedResults => "弄虚作假",
        _ => "拒不执行处理意见",
    };

    /// <summary>A ticket's state as pages show it (the UI never shows an enum name).</summary>
    public static string Of(TicketStatus status) => status switch
    {
        TicketStatus.New => "新建",
        TicketStatus.Open => "待签收",
        TicketStatus.Acknowledged => "已签收",
        TicketStatus.Responded => "已反馈",
        _ => "已结束",
    };
}
