using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

/// <summary>
/// The case orchestration (信访事项) as a pure decider: registration to final, with every legal clock of DOMAIN.md §2.
/// Order of checks in <see cref="Decide"/>: a command the state already satisfies yields nothing (redelivery);
/// then the transitions table (409), the actor's role and the accusation guard (403), the command's data (400).
/// </summary>
public sealed partial class CaseDecider : IDecider<CaseState, CaseCommand, CaseEvent>
{
    public const string Type = "case";

    public CaseDecider(LegalCalendar calendar, PolicyCatalog policies, OrgDirectory org)
    {
        Calendar = calendar;
        Policies = policies;
        Org = org;
    }

    /// <summary>The decider over the shipped calendar, default policy and demo org.</summary>
    public static CaseDecider Demo { get; } = new(LegalCalendar.Default, PolicyCatalog.Default, OrgDirectory.Demo);

    public LegalCalendar Calendar { get; }

    public PolicyCatalog Policies { get; }

    public OrgDirectory Org { get; }

    public string TypeName => Type;

    public CaseState Initial => CaseState.Initial;

    // ───────────────────────────── Decide ─────────────────────────────

    public Decision<CaseEvent> Decide(CaseState state, CaseCommand command, DecisionContext context)
    {
        if (command is ClockTimerElapsed timer)
        {
            // Only the runtime fires timers (OnTimer); a person cannot push a clock over a threshold.
            return timer.Actor == Actors.System
                ? DecideTimer(state, timer, context.Now)
                : Decision<CaseEvent>.Reject(Rejection.Forbidden(command.Name, state.Status.ToString(), "timers are fired by the system only"));
        }

        var name = command.Name;
        if (Satisfied(state, command))
        {
            // Redelivery by the actor who did it is a no-op. Anyone else must still be allowed to issue the command:
            // an already-satisfied state must not turn a stranger's command into a silent success.
            if (command.Actor is { } actor && !Actors.IsPetitioner(actor) && state.DoneBy.GetValueOrDefault(name) == actor)
            {
                return Decision<CaseEvent>.None;
            }

            return Authorize(state, command) is { } refused
                ? Decision<CaseEvent>.Reject(Rejection.Forbidden(name, state.Status.ToString(), refused))
                : Decision<CaseEvent>.None;
        }

        if (!CaseTransitions.Allows(name, state.Status))
        {
            return Decision<CaseEvent>.Reject(Rejection.Transition(
                name, state.Status.ToString(), CaseTransitions.Why(name, state.Status), CaseTransitions.For(name)?.To));
        }

        if (Authorize(state, command) is { } forbidden)
        {
            return Decision<CaseEvent>.Reject(Rejection.Forbidden(name, state.Status.ToString(), forbidden));
        }

        if (CommandValidator.Validate(command, context.Now) is { Count: > 0 } errors)
        {
            return Decision<CaseEvent>.Reject(Rejection.Invalid(name, state.Status.ToString(), errors));
        }

        var d = new Handlers(this, state, context, Actors.Recorded(command.Actor));
        var decision = command switch
        {
            RegisterCase c => d.Register(c),
            ClassifyCase c => d.Classify(c),
            RouteCase c => d.Route(c),
            ReferOut c => d.ReferOut(c),
            RaiseObjection c => d.Object(c),
            DecideObjection c => d.DecideObjection(c),
            AcceptCase c => d.Accept(c),
            ApproveExtension c => d.Extend(c),
            IssueReply c => d.Reply(c),
            SubmitCompletionReport c => d.Report(c),
            RateHandling c => d.Rate(c),
            RequestReview c => d.RequestReview(c),
            IssueReviewOpinion c => d.ReviewOpinion(c),
            RequestReExamination c => d.RequestReExamination(c),
            StartHearing c => d.StartHearing(c),
            EndHearing c => d.EndHearing(c),
            IssueReExaminationOpinion c => d.ReExaminationOpinion(c),
            ReportMajor c => d.ReportMajor(c),
            RecordRepeatPetition c => d.RecordRepeat(c),
            MigratePolicy c => d.Migrate(c),
            ReissueQueryCode c => d.ReissueQueryCode(c),
            TakeOwnership c => DecideOwnership(state, name, c.Actor, c.Reason, null, c.ReceptionId, context.Now, Actors.Recorded(c.Actor)),
            AssignOwnership c => DecideOwnership(state, name, c.LeaderId, c.Reason, c.TicketId, null, context.Now, c.Actor),
            _ => DecideSupervision(state, command, context),
        };
        return WithCoHandlersStopped(state, decision, context.Now);
    }

    /// <summary>
    /// Redelivery: the state is exactly what this command produced (same data, and still in the status it led to).
    /// A stale copy arriving after the case moved on is refused by the table instead, which is safe and visible.
    /// </summary>
    private static bool Satisfied(CaseState s, CaseCommand command) => command switch
    {
        RegisterCase c => s.Status != CaseStatus.New && s.CaseId == c.CaseId && s.ReceivedAt == c.ReceivedAt
            && s.RegisteredBy == c.UnitId && HoldsCode(s, c.QueryCodeHash, c.QueryCode),
        ClassifyCase c => s.Status is CaseStatus.Registered or CaseStatus.ReceivedByAgency
            && s.Category == c.Category && s.AccusedUnitId == c.AccusedUnitId && s.AccusedPersonId == c.AccusedPersonId,
        RouteCase c => s.Status == CaseStatus.Routed && s.Routing == c.Kind && s.HandlingUnitId == c.AgencyId && s.AssignedDueDate == c.AssignedDueDate,
        ReferOut c => s.Status == CaseStatus.ReferredOut && s.ReferralChannel == c.Channel && s.ReferredTo == c.TargetUnitId,
        RaiseObjection c => s.Status == CaseStatus.ObjectionPending && s.ObjectionReason == c.Reason,
        DecideObjection c => s.Status is CaseStatus.Registered or CaseStatus.Routed && s.ObjectionUpheld == c.Upheld && s.ObjectionDecisionReason == c.Reason,
        AcceptCase c => s.Status == CaseStatus.Accepted && s.Mode == c.Mode,
        ApproveExtension c => s.Status == CaseStatus.Accepted && s.Extension is { } x && x.Days == c.Days && x.Reason == c.Reason,
        IssueReply c => s.Status == CaseStatus.Replied && s.ReplyOutcome == c.Outcome && s.ReplyFile == c.OpinionFile,
        SubmitCompletionReport c => s.ReportFile is not null && s.ReportFile == c.ReportFile,
        RateHandling c => StageOf(s) is { } st && s.Ratings.Any(r => r.Stage == st && r.Rating == c.Rating),
        RequestReview => s.Status == CaseStatus.UnderReview,
        IssueReviewOpinion c => s.Status == CaseStatus.Reviewed && s.ReviewOutcome == c.Outcome && s.ReviewFile == c.OpinionFile,
        RequestReExamination => s.Status == CaseStatus.UnderReExamination,
        StartHearing c => s.Status == CaseStatus.UnderReExamination && s.HearingOpenSince == c.On,
        EndHearing c => s.Status == CaseStatus.UnderReExamination && s.HearingOpenSince is null
            && s.Clock(ClockNames.ReExam) is { Pauses: [.., var last] } && last.To == c.On,
        IssueReExaminationOpinion c => s.Status == CaseStatus.Final && s.ReExamOutcome == c.Outcome && s.ReExamFile == c.OpinionFile,
        ReportMajor => s.Major && s.IsOpen,
        RecordRepeatPetition c => s.Repeats.Any(r => r.ReceivedAt == c.ReceivedAt && r.UnitId == c.UnitId),
        MigratePolicy c => s.IsOpen && s.Policy?.Version == c.Version,
        ReissueQueryCode c => s.Status != CaseStatus.New && HoldsCode(s, c.QueryCodeHash, c.QueryCode),
        _ => SatisfiedSupervision(s, command) || SatisfiedOwnership(s, command),
    };

    /// <summary>The case keeps this code: the same stored hash, or (a legacy command) the clear code verifies against it.</summary>
    private static bool HoldsCode(CaseState s, string? hash, string? legacyCode) => hash is not null
        ? string.Equals(s.QueryCodeHash, hash, StringComparison.Ordinal)
        : CaseVisibility.CanPetitionerSee(s, legacyCode);

    /// <summary>Which opinion a rating now concerns.</summary>
    internal static Stage? StageOf(CaseState s) => s.Status switch
    {
        CaseStatus.Replied => Stage.Reply,
        CaseStatus.Reviewed => Stage.Review,
        CaseStatus.Final => Stage.ReExamination,
        CaseStatus.Closed => s.ReviewOutcome is null ? Stage.Reply : Stage.Review,
        _ => null,
    };

    /// <summary>Role and scope of the actor, and the accusation guard on the actor; null when allowed.</summary>
    private string? Authorize(CaseState s, CaseCommand command)
    {
        var actor = command.Actor;
        if (string.IsNullOrWhiteSpace(actor))
        {
            return "the command names no actor";
        }

        if (actor == Actors.System)
        {
            return command is MigratePolicy || IsSupervisionCommand(command) ? null : $"'{command.Name}' must be issued by a person";
        }

        if (actor == Actors.Portal)
        {
            return command switch
            {
                RegisterCase c when c.Channel == Channel.Online && Org.Unit(c.UnitId) is null => null, // a validation error, reported by the handler
                RegisterCase c when c.Channel == Channel.Online && Org.Unit(c.UnitId)!.Type == UnitType.PetitionBureau => null,
                RecordRepeatPetition c when c.Channel == Channel.Online && Org.Unit(c.UnitId)?.Type == UnitType.PetitionBureau => null,
                _ => $"the online portal registers online petitions at a petition bureau and records their repeats, not '{command.Name}'",
            };
        }

        if (Actors.IsPetitioner(actor))
        {
            if (command is not (RateHandling or RequestReview or RequestReExamination))
            {
                return $"a petitioner may rate and request review or re-examination, not '{command.Name}'";
            }

            // The edge checked the code and names the petitioner by the hash it matched (Actors.PetitionerFor), so a code
            // re-issued meanwhile refuses the command here; old histories name the petitioner by the code itself.
            return Actors.Holds(actor, CaseVisibility.StoredQueryCodeHash(s)) || CaseVisibility.CanPetitionerSee(s, actor[Actors.PetitionerPrefix.Length..])
                ? null : "the query code does not match this case";
        }

        if (Org.PersonById(actor) is null)
        {
            return $"unknown actor '{actor}'";
        }

        // The accusation guard on the actor, for the case as it is and as a registration/classification would make it.
        var (category, accusedUnit, accusedPerson) = command switch
        {
            RegisterCase reg => (reg.Category, reg.AccusedUnitId, reg.AccusedPersonId),
            ClassifyCase c => (c.Category, c.AccusedUnitId, c.AccusedPersonId),
            _ => (s.Category, s.AccusedUnitId, s.AccusedPersonId),
        };
        if (AccusationGuard.ExcludesPerson(Org, s, actor) || AccusationGuard.ExcludesPerson(Org, category, accusedUnit, accusedPerson, actor))
        {
            return "the actor is the accused or belongs to the accused unit of this accusation (Arts. 30, 46)";
        }

        bool Has(Role role, string? unit) => unit is not null && Org.HasRole(actor, role, unit);
        bool Staff(string? unit) => Has(Role.HandlingOfficer, unit) || Has(Role.AgencyHead, unit);
        bool BureauRegistrar(string? unit) => Has(Role.Registrar, unit) && Org.Unit(unit)?.Type == UnitType.PetitionBureau;
        bool AnyBureauRegistrar() => Org.PersonById(actor)!.Roles.Any(r => r.Role == Role.Registrar && Org.Unit(r.Unit)?.Type == UnitType.PetitionBureau);
        var r = s.ResponsibleUnitId;

        return command switch
        {
            RegisterCase c when Org.Unit(c.UnitId) is null => null, // an unknown unit is a validation error, reported by the handler
            RegisterCase c => Org.Unit(c.UnitId)?.Type == UnitType.PetitionBureau
                ? (BureauRegistrar(c.UnitId) ? null : "only a registrar of the petition bureau registers for it")
                : (Has(Role.Registrar, c.UnitId) || Staff(c.UnitId) ? null : "only the receiving agency's registrar or handling staff register a direct item"),
            ClassifyCase or ReferOut when s.Status == CaseStatus.Registered =>
                BureauRegistrar(r) ? null : "only a registrar of the responsible petition bureau may do this",
            ClassifyCase or ReferOut => Staff(r) || Has(Role.Registrar, r) ? null : "only the responsible agency's staff may do this",
            RouteCase => BureauRegistrar(r) ? null : "only a registrar of the responsible petition bureau routes",
            DecideObjection => BureauRegistrar(s.BureauId) || Has(Role.Supervisor, s.BureauId) ? null : "only the supervising petition bureau verifies an objection",
            ApproveExtension => Has(Role.AgencyHead, r) ? null : "only the head of the handling agency approves an extension (Art. 34)",
            // The completion report is the handling agency's, even while a review body holds the case.
            SubmitCompletionReport => Staff(s.HandlingUnitId) ? null : "only the handling agency submits its completion report",
            RaiseObjection or AcceptCase or IssueReply or IssueReviewOpinion or StartHearing or EndHearing
                or IssueReExaminationOpinion => Staff(r) ? null : "only a handling officer or the head of the responsible body may do this",
            RateHandling or RequestReview or RequestReExamination =>
                AnyBureauRegistrar() ? null : "only the petitioner (by query code) or a petition-bureau registrar on their behalf may do this",
            ReportMajor => Staff(r) || Has(Role.Registrar, r) || Has(Role.Registrar, s.BureauId) || Has(Role.Supervisor, s.BureauId)
                ? null : "only the responsible body or the supervising bureau reports a major item",
            RecordRepeatPetition c => Has(Role.Registrar, c.UnitId) ? null : "only a registrar of the receiving unit records a repeat petition",
            MigratePolicy => Org.PersonById(actor)!.Roles.Any(g => g.Role == Role.ConferenceStaff) ? null : "only conference-office staff (or the system) migrate policies",
            ReissueQueryCode => Has(Role.Registrar, s.BureauId) || Has(Role.Registrar, s.RegisteredBy)
                ? null : "only a registrar of the case's petition bureau or of the registering unit issues a new query code",
            TakeOwnership => OwnershipUnitOf(actor, s) is not null
                ? null : "only a leader of a government or Party committee over the units that held this case takes ownership (包案)",
            _ => "not allowed",
        };
    }

    private static Decision<CaseEvent> DecideTimer(CaseState s, ClockTimerElapsed t, Instant now)
    {
        var clock = s.Clock(t.Clock);
        if (clock is null || clock.Generation != t.Generation || clock.Status != ClockStatus.Running
            || t.Level == ClockLevel.None || t.Level <= clock.Reached || clock.At(t.Level) is not { } at || now < at)
        {
            return Decision<CaseEvent>.None; // stale, early, or already recorded
        }

        if (clock.Kind == ClockKind.Window)
        {
            return t.Level == ClockLevel.Overdue ? Decision<CaseEvent>.Accept(new ClockLapsed(clock.Name, clock.Generation, now)) : Decision<CaseEvent>.None;
        }

        CaseEvent e = t.Level switch
        {
            ClockLevel.Reminder => new ClockReminderSent(clock.Name, clock.Generation, clock.DueDate),
            ClockLevel.Warning => new ClockWarningRaised(clock.Name, clock.Generation, clock.DueDate),
            ClockLevel.Critical => new ClockCriticalRaised(clock.Name, clock.Generation, clock.DueDate),
            _ => new ClockOverdue(clock.Name, clock.Generation, clock.DueDate),
        };
        return Decision<CaseEvent>.Accept(e);
    }

    // ───────────────────────────── Clocks ─────────────────────────────

    internal EscalationProfile Profile(CaseState s, bool? major = null)
    {
        var doc = s.Policy is null ? null : Policies.Find(s.Policy);
        doc ??= Policies.Resolve(PolicyCatalog.Petition, []) ?? Policies.Documents.First();
        return major ?? s.Major ? doc.Urgent : doc.Routine;
    }

    /// <summary>A new clock from a policy rule, one generation above any earlier clock of that name.</summary>
    internal LegalClock NewClock(CaseState s, PolicyDocument policy, EscalationProfile profile, string name, string ruleKey, LocalDate trigger, Instant at, string unitId)
    {
        var rule = policy.Clock(ruleKey);
        var c = new LegalClock(
            name, (s.Clock(name)?.Generation ?? 0) + 1, rule.Kind, rule.Basis, rule.Rule, rule.Article, ruleKey, trigger, at,
            rule.Days, rule.Unit, [], null, trigger, at, false, null, null, null, unitId);
        return Started(Schedule(c, profile), at);
    }

    /// <summary>
    /// A clock that starts late (an item registered days after receipt) alerts once, at the level it has already
    /// reached, instead of replaying every lower threshold: the lower levels count as reached.
    /// </summary>
    internal static LegalClock Started(LegalClock c, Instant now)
    {
        var level = c.LevelAt(now);
        return level > ClockLevel.None ? c with { Reached = level - 1 } : c;
    }

    /// <summary>Computes due date and thresholds (DOMAIN.md §9) with the legal calendar.</summary>
    internal LegalClock Schedule(LegalClock c, EscalationProfile p)
    {
        var d = Calendar.Compute(c.Request());
        c = c with { DueDate = d.DueDate, DueInstant = d.DueInstant, Provisional = d.Provisional, ReminderAt = null, WarningAt = null, CriticalAt = null };
        if (c.Kind == ClockKind.Window)
        {
            return c;
        }

        // Counting starts the day after the trigger (Civil Code Art. 201), so half time is measured from there.
        var start = LegalCalendar.EndOf(c.Trigger);
        if (start >= c.DueInstant)
        {
            return c;
        }

        var workingDays = Calendar.WorkingDaysBetween(c.Trigger, c.DueDate);
        var warnLeft = workingDays < p.ShortClockWorkingDays
            ? (int)Math.Round(workingDays * p.ShortClockWarningFraction, MidpointRounding.AwayFromZero)
            : p.WarningWorkingDaysLeft;
        Instant? warning = warnLeft > p.CriticalWorkingDaysLeft ? LegalCalendar.EndOf(Calendar.AddWorkingDays(c.DueDate, -warnLeft)) : null;
        Instant? critical = p.CriticalWorkingDaysLeft > 0 ? LegalCalendar.EndOf(Calendar.AddWorkingDays(c.DueDate, -p.CriticalWorkingDaysLeft)) : null;
        Instant? reminder = start + ((c.DueInstant - start) * p.ReminderAtFraction);

        // Keep thresholds strictly ordered and inside (start, due): a short clock may have no room for some.
        critical = critical > start && critical < c.DueInstant ? critical : null;
        warning = warning > start && warning < (critical ?? c.DueInstant) ? warning : null;
        reminder = reminder > start && reminder < (warning ?? critical ?? c.DueInstant) ? reminder : null;
        return c with { ReminderAt = reminder, WarningAt = warning, CriticalAt = critical };
    }

    /// <summary>A rescheduled running clock: next generation; thresholds already passed at <paramref name="now"/> are not alerted again.</summary>
    internal LegalClock Reschedule(LegalClock c, EscalationProfile p, Instant now)
    {
        var next = Schedule(c with { Generation = c.Generation + 1 }, p);
        return next with { Reached = next.LevelAt(now) };
    }

    // ───────────────────────────── Evolve ─────────────────────────────

    public CaseState Evolve(CaseState state, CaseEvent @event)
    {
        // A snapshot written before hashing holds the clear code: from the next event on it holds only the hash.
        if (state.QueryCode is { } legacy)
        {
            state = state with { QueryCode = null, QueryCodeHash = state.QueryCodeHash ?? QueryCodes.Hash(legacy, state.CaseId ?? string.Empty, null) };
        }

        var next = Fold(state, @event);
        return By(@event) is { } by ? next with { DoneBy = next.DoneBy.SetItem(CommandOf(@event), Actors.Recorded(by)) } : next;
    }

    /// <summary>Who issued the command behind an event, as recorded (old events may hold <c>petitioner:{code}</c>).</summary>
    private static string? By(CaseEvent e) => e switch
    {
        CaseRegistered x => x.By,
        CaseClassified x => x.By,
        CaseRouted x => x.By,
        CaseReferredOut x => x.By,
        ObjectionRaised x => x.By,
        ObjectionUpheld x => x.By,
        ObjectionOverruled x => x.By,
        CaseAccepted x => x.By,
        ExtensionApproved x => x.By,
        ReplyIssued x => x.By,
        CompletionReportSubmitted x => x.By,
        HandlingRated x => x.By,
        ReviewRequested x => x.By,
        ReviewOpinionIssued x => x.By,
        ReExaminationRequested x => x.By,
        HearingStarted x => x.By,
        HearingEnded x => x.By,
        ReExaminationOpinionIssued x => x.By,
        MajorItemReported x => x.By,
        RepeatPetitionRefused x => x.By,
        DuplicatePetitionNoted x => x.By,
        PolicyMigrated x => x.By,
        QueryCodeReissued x => x.By,
        OwnershipTaken x => x.By,
        _ => null,
    };

    private static string CommandOf(CaseEvent e) => e switch
    {
        CaseRegistered => "register",
        CaseClassified => "classify",
        CaseRouted => "route",
        CaseReferredOut => "refer-out",
        ObjectionRaised => "object",
        ObjectionUpheld or ObjectionOverruled => "decide-objection",
        CaseAccepted => "accept",
        ExtensionApproved => "approve-extension",
        ReplyIssued => "reply",
        CompletionReportSubmitted => "completion-report",
        HandlingRated => "rate",
        ReviewRequested => "request-review",
        ReviewOpinionIssued => "review-opinion",
        ReExaminationRequested => "request-reexamination",
        HearingStarted => "start-hearing",
        HearingEnded => "end-hearing",
        ReExaminationOpinionIssued => "reexamination-opinion",
        MajorItemReported => "report-major",
        RepeatPetitionRefused or DuplicatePetitionNoted => "record-repeat",
        PolicyMigrated => "migrate-policy",
        QueryCodeReissued => "reissue-query-code",
        OwnershipTaken x => x.TicketId is null ? "take-ownership" : "assign-owner",
        _ => string.Empty,
    };

    private CaseState Fold(CaseState state, CaseEvent @event) => @event switch
    {
        CaseRegistered e => state with
        {
            Status = e.Intake == Intake.Bureau ? CaseStatus.Registered : CaseStatus.ReceivedByAgency,
            CaseId = e.CaseId,
            QueryCodeHash = e.QueryCodeHash ?? (e.QueryCode is null ? null : QueryCodes.Hash(e.QueryCode, e.CaseId, null)),
            Channel = e.Channel,
            ReceivedAt = e.ReceivedAt,
            ReceivedOn = e.ReceivedOn,
            Intake = e.Intake,
            RegisteredBy = e.UnitId,
            BureauId = e.BureauId,
            Petitioner = e.Petitioner,
            GroupSize = e.GroupSize,
            Representatives = e.Representatives,
            Summary = e.Summary,
            Fingerprint = e.Fingerprint,
            MatterFingerprint = e.MatterFingerprint,
            Category = e.Category,
            AccusedUnitId = e.AccusedUnitId,
            AccusedPersonId = e.AccusedPersonId,
            Policy = e.Policy,
            ResponsibleUnitId = e.UnitId,
            HandlingUnitId = e.Intake == Intake.Agency ? e.UnitId : null,
            InvolvedUnits = Involve(Involve(state.InvolvedUnits, e.UnitId), e.BureauId),
        },
        CaseClassified e => state with { Category = e.Category, AccusedUnitId = e.AccusedUnitId, AccusedPersonId = e.AccusedPersonId },
        CaseRouted e => state with
        {
            Status = CaseStatus.Routed,
            Routing = e.Kind,
            ResponsibleUnitId = e.AgencyId,
            HandlingUnitId = e.AgencyId,
            AssignedDueDate = e.AssignedDueDate,
            ReportRequired = e.Kind == RoutingKind.Assign && e.ReportRequired,
            ObjectionReason = null,
            ObjectionUpheld = null,
            ObjectionDecisionReason = null,
            InvolvedUnits = Involve(state.InvolvedUnits, e.AgencyId),
        },
        CaseReferredOut e => state with
        {
            Status = CaseStatus.ReferredOut,
            ReferralChannel = e.Channel,
            ReferredTo = e.TargetUnitId,
            InvolvedUnits = e.TargetUnitId is null ? state.InvolvedUnits : Involve(state.InvolvedUnits, e.TargetUnitId),
        },
        ObjectionRaised e => state with { Status = CaseStatus.ObjectionPending, ObjectionReason = e.Reason },
        ObjectionUpheld e => state with
        {
            Status = CaseStatus.Registered,
            ResponsibleUnitId = state.BureauId,
            HandlingUnitId = null,
            Routing = null,
            AssignedDueDate = null,
            ReportRequired = false,
            ObjectionUpheld = true,
            ObjectionDecisionReason = e.Reason,
        },
        ObjectionOverruled e => state with { Status = CaseStatus.Routed, ObjectionUpheld = false, ObjectionDecisionReason = e.Reason },
        CaseAccepted e => state with { Status = CaseStatus.Accepted, Mode = e.Mode },
        ExtensionApproved e => state with { Extension = new ClockExtension(e.Days, e.Reason), PetitionerToldOfExtensionOn = e.PetitionerToldOn },
        ReplyIssued e => state with { Status = CaseStatus.Replied, ReplyOutcome = e.Outcome, ReplyFile = e.OpinionFile },
        CompletionReportSubmitted e => state with { ReportFile = e.ReportFile },
        HandlingRated e => state with { Ratings = state.Ratings.Add(new StageRating(e.Stage, e.Rating)) },
        ReviewRequested e => state with
        {
            Status = CaseStatus.UnderReview,
            ReviewBodyId = e.ReviewBodyId,
            ResponsibleUnitId = e.ReviewBodyId,
            InvolvedUnits = Involve(state.InvolvedUnits, e.ReviewBodyId),
        },
        ReviewOpinionIssued e => state with { Status = CaseStatus.Reviewed, ReviewOutcome = e.Outcome, ReviewFile = e.OpinionFile },
        ReExaminationRequested e => state with
        {
            Status = CaseStatus.UnderReExamination,
            ReExamBodyId = e.BodyId,
            ResponsibleUnitId = e.BodyId,
            InvolvedUnits = Involve(state.InvolvedUnits, e.BodyId),
        },
        HearingStarted e => state with { HearingOpenSince = e.On },
        HearingEnded => state with { HearingOpenSince = null },
        ReExaminationOpinionIssued e => state with { Status = CaseStatus.Final, ReExamOutcome = e.Outcome, ReExamFile = e.OpinionFile },
        MajorItemReported => state with { Major = true },
        RepeatPetitionRefused e => state with { Repeats = state.Repeats.Add(new RepeatPetition(e.ReceivedAt, e.UnitId, true, PetitionRow.AnswerableUnit(state))) },
        DuplicatePetitionNoted e => state with { Repeats = state.Repeats.Add(new RepeatPetition(e.ReceivedAt, e.UnitId, false, PetitionRow.AnswerableUnit(state))) },
        PolicyMigrated e => state with { Policy = e.To },
        QueryCodeReissued e => state with { QueryCodeHash = e.QueryCodeHash },
        ClockStarted e => state with { Clocks = state.Clocks.SetItem(e.Clock.Name, e.Clock) },
        ClockRescheduled e => state with { Clocks = state.Clocks.SetItem(e.Clock.Name, e.Clock) },
        ClockPaused e => Update(state, e.Name, e.Generation, c => c with { Status = ClockStatus.Paused, PausedFrom = e.From }),
        ClockStopped e => Update(state, e.Name, e.Generation, c => c with { Status = ClockStatus.Stopped, EndedAt = e.At }),
        ClockReminderSent e => Reach(state, e.Name, e.Generation, ClockLevel.Reminder),
        ClockWarningRaised e => Reach(state, e.Name, e.Generation, ClockLevel.Warning),
        ClockCriticalRaised e => Reach(state, e.Name, e.Generation, ClockLevel.Critical),
        ClockOverdue e => WithOverdueTicket(Reach(state, e.Name, e.Generation, ClockLevel.Overdue), e),
        ClockLapsed e => Update(state, e.Name, e.Generation, c => c with { Status = ClockStatus.Lapsed, Reached = ClockLevel.Overdue, EndedAt = e.At }) with
        {
            // An unused remedy window leaves the last opinion standing.
            Status = (e.Name, state.Status) is (ClockNames.ReviewWindow, CaseStatus.Replied) or (ClockNames.ReExamWindow, CaseStatus.Reviewed)
                ? CaseStatus.Closed
                : state.Status,
        },
        OwnershipTaken e => EvolveOwnership(state, e),
        _ => EvolveSupervision(state, @event),
    };

    private static System.Collections.Immutable.ImmutableList<string> Involve(System.Collections.Immutable.ImmutableList<string> units, string unitId) =>
        units.Contains(unitId) ? units : units.Add(unitId);

    private static CaseState Update(CaseState s, string name, int generation, Func<LegalClock, LegalClock> change) =>
        s.Clock(name) is { } c && c.Generation == generation ? s with { Clocks = s.Clocks.SetItem(name, change(c)) } : s;

    private static CaseState Reach(CaseState s, string name, int generation, ClockLevel level) =>
        Update(s, name, generation, c => c.Reached >= level ? c : c with { Reached = level });

    // ───────────────────────────── Timers ─────────────────────────────

    private static readonly (ClockLevel Level, string Key)[] TimerLevels =
        [(ClockLevel.Reminder, "remind"), (ClockLevel.Warning, "warn"), (ClockLevel.Critical, "critical"), (ClockLevel.Overdue, "due")];

    /// <summary>For every running clock, each threshold not yet reached: keys <c>{clock}:remind|warn|critical|due</c>, generation = the clock's.</summary>
    public IReadOnlyList<DurableTimer> Timers(CaseState state) =>
    [
        .. from c in state.Clocks.Values
           where c.Status == ClockStatus.Running
           from t in TimerLevels
           where t.Level > c.Reached && c.At(t.Level) is not null
           select new DurableTimer($"{c.Name}:{t.Key}", c.At(t.Level)!.Value, c.Generation),
    ];

    public CaseCommand OnTimer(TimerFired fired)
    {
        var colon = fired.Key.LastIndexOf(':');
        var level = colon < 0 ? ClockLevel.None : TimerLevels.FirstOrDefault(t => t.Key == fired.Key[(colon + 1)..]).Level;
        return new ClockTimerElapsed(Actors.System, colon < 0 ? fired.Key : fired.Key[..colon], level, fired.Generation);
    }

    // ───────────────────────────── Effects ─────────────────────────────

    public IReadOnlyList<Effect> Effects(CaseState before, CaseEvent @event, CaseState after, EffectContext context) =>
        CaseEffects.Of(this, before, @event, after, context);
}
