using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

public sealed partial class CaseDecider
{
    /// <summary>One decision: the rules of each command once the table and the actor have been checked.</summary>
    private sealed class Handlers(CaseDecider decider, CaseState s, DecisionContext ctx, string by)
    {
        private readonly OrgDirectory org = decider.Org;
        private readonly Instant now = ctx.Now;
        private readonly LocalDate today = LegalCalendar.LocalDateOf(ctx.Now);
        private readonly List<CaseEvent> events = [];
        private string command = string.Empty;

        private PolicyDocument Policy => decider.Policies.Get(s.Policy!);

        public Decision<CaseEvent> Register(RegisterCase c)
        {
            command = c.Name;
            var unit = org.Unit(c.UnitId);
            if (unit is null)
            {
                return Invalid($"unknown unit '{c.UnitId}'");
            }

            if (unit.Type is not (UnitType.PetitionBureau or UnitType.CompetentAgency or UnitType.Government))
            {
                return Invalid($"a {unit.Type} does not register petitions; refer to it instead");
            }

            if (Blank(c.CaseId) || (Blank(c.QueryCodeHash) && Blank(c.QueryCode)) || Blank(c.Summary) || Blank(c.MatterKey) || Blank(c.Petitioner?.Name))
            {
                return Invalid("caseId, queryCodeHash, summary, matterKey and the petitioner's name are required");
            }

            if (c.ReceivedAt > now)
            {
                return Invalid("receivedAt is in the future");
            }

            if (!LegalCalendar.InRange(c.ReceivedAt))
            {
                return Invalid($"receivedAt is outside the legal calendar ({LegalCalendar.MinYear}–{LegalCalendar.MaxYear})");
            }

            if (c.GroupSize < 1 || c.Representatives < 0 || c.Representatives > c.GroupSize)
            {
                return Invalid("groupSize must be 1 or more and representatives between 0 and groupSize");
            }

            if (c.Channel == Channel.Visit && c.GroupSize > 1 && c.Representatives is < 1 or > 5)
            {
                return Invalid("a group visit elects 1 to 5 representatives (Art. 18)");
            }

            if (Accusation(c.Category, c.AccusedUnitId, c.AccusedPersonId) is { } bad)
            {
                return bad;
            }

            var intake = unit.Type == UnitType.PetitionBureau ? Intake.Bureau : Intake.Agency;
            if (AccusationGuard.ExcludedUnits(org, c.Category, c.AccusedUnitId, c.AccusedPersonId).Contains(unit.Id))
            {
                return Forbidden("the accused unit cannot register an accusation against itself (Arts. 30, 46)");
            }

            var bureau = intake == Intake.Bureau ? unit : org.PetitionBureauOf(unit.Id);
            if (bureau is null)
            {
                return Invalid($"no petition bureau supervises '{unit.Id}'");
            }

            var regions = new[] { unit }.Concat(org.Ancestors(unit.Id)).Select(u => u.Region).Distinct(StringComparer.Ordinal);
            var policy = decider.Policies.Resolve(c.CaseType, regions);
            if (policy is null)
            {
                return Invalid($"no policy is loaded for case type '{c.CaseType}'");
            }

            var receivedOn = LegalCalendar.LocalDateOf(c.ReceivedAt);
            var registered = new CaseRegistered(
                c.CaseId, null, c.Channel, c.ReceivedAt, receivedOn, unit.Id, intake, bureau.Id, c.Petitioner!, c.GroupSize,
                c.Representatives, c.Summary, CaseHashes.Fingerprint(c.Petitioner!, c.MatterKey), c.Category, c.AccusedUnitId,
                c.AccusedPersonId, policy.Ref, by, c.QueryCodeHash ?? QueryCodes.Hash(c.QueryCode!, c.CaseId, c.QueryCodeSalt),
                CaseHashes.MatterFingerprint(c.MatterKey));
            var profile = c.MajorReason is null ? policy.Routine : policy.Urgent;

            // Art. 22 for a bureau (register and route within 15 days); Art. 23 for an agency receiving directly.
            var clock = intake == Intake.Bureau
                ? decider.NewClock(s, policy, profile, ClockNames.Routing, PolicyRules.Routing, receivedOn, now, unit.Id)
                : decider.NewClock(s, policy, profile, ClockNames.Acceptance, PolicyRules.Acceptance, receivedOn, now, unit.Id);
            events.Add(registered);
            events.Add(new ClockStarted(clock));
            if (c.MajorReason is not null)
            {
                events.Add(new MajorItemReported(c.MajorReason, by));
            }

            return Done();
        }

        public Decision<CaseEvent> Classify(ClassifyCase c)
        {
            command = c.Name;
            if (Accusation(c.Category, c.AccusedUnitId, c.AccusedPersonId) is { } bad)
            {
                return bad;
            }

            if (AccusationGuard.ExcludedUnits(org, c.Category, c.AccusedUnitId, c.AccusedPersonId).Overlaps(s.InvolvedUnits.Where(u => u != s.BureauId)))
            {
                return Forbidden("the item is already with the accused unit; it must be taken back by the bureau, not classified there");
            }

            events.Add(new CaseClassified(c.Category, c.AccusedUnitId, c.AccusedPersonId, by));
            return Done();
        }

        public Decision<CaseEvent> Route(RouteCase c)
        {
            command = c.Name;
            if (s.Category is null)
            {
                return Transition("classify the item before routing it");
            }

            var agency = org.Unit(c.AgencyId);
            if (agency is null || agency.Type is not (UnitType.CompetentAgency or UnitType.Government))
            {
                return Invalid($"'{c.AgencyId}' is not a competent agency or government");
            }

            if (AccusationGuard.ExcludesUnit(org, s, agency.Id))
            {
                return Forbidden("an accusation is never routed to the accused unit or the accused person's unit (Arts. 30, 46)");
            }

            if (c.Kind == RoutingKind.Assign ? c.AssignedDueDate is not { } due || due <= today || due > today.PlusYears(1) : c.AssignedDueDate is not null)
            {
                return Invalid(c.Kind == RoutingKind.Assign
                    ? "交办 needs a deadline after today and within a year (assignedDueDate)"
                    : "转送 carries no bureau-set deadline; use 交办 to set one");
            }

            var policy = Policy;
            var profile = decider.Profile(s);
            events.Add(new CaseRouted(c.Kind, agency.Id, today, c.AssignedDueDate, c.ReportRequired, by));
            Stop(ClockNames.Routing, "routed");

            // Art. 23: the receiving agency has 15 days to accept and tell the petitioner, 5 working days to object.
            events.Add(new ClockStarted(decider.NewClock(s, policy, profile, ClockNames.Acceptance, PolicyRules.Acceptance, today, now, agency.Id)));
            events.Add(new ClockStarted(decider.NewClock(s, policy, profile, ClockNames.Objection, PolicyRules.Objection, today, now, agency.Id)));
            if (c.Kind == RoutingKind.Assign)
            {
                var days = Period.DaysBetween(today, c.AssignedDueDate!.Value);
                var clock = new LegalClock(
                    ClockNames.Assignment, (s.Clock(ClockNames.Assignment)?.Generation ?? 0) + 1, ClockKind.Obligation, LegalBasis.Law,
                    "交办期限", "《信访工作条例》第二十二条", ClockNames.Assignment, today, now, days, DayUnit.Natural, [], null, today, now, false,
                    null, null, null, agency.Id);
                events.Add(new ClockStarted(Started(decider.Schedule(clock, profile), now)));
            }

            return Done();
        }

        public Decision<CaseEvent> ReferOut(ReferOut c)
        {
            command = c.Name;
            if (Blank(c.Reason))
            {
                return Invalid("a reason is required");
            }

            var target = c.TargetUnitId is null ? null : org.Unit(c.TargetUnitId);
            if (c.TargetUnitId is not null && target is null)
            {
                return Invalid($"unknown unit '{c.TargetUnitId}'");
            }

            var expected = c.Channel == ReferralChannel.DisciplineInspection ? UnitType.DisciplineInspection : UnitType.LegalOrgan;
            if (c.Channel == ReferralChannel.DisciplineInspection && target is null)
            {
                return Invalid("a referral to discipline inspection names the receiving body");
            }

            if (target is not null && target.Type != expected)
            {
                return Invalid($"a {c.Channel} referral goes to a {expected}, not a {target.Type}");
            }

            if (target is not null && AccusationGuard.ExcludesUnit(org, s, target.Id))
            {
                return Forbidden("an accusation is never referred to the accused unit (Arts. 30, 46)");
            }

            events.Add(new CaseReferredOut(c.Channel, target?.Id, c.Reason, by));
            foreach (var clock in s.ActiveClocks)
            {
                Stop(clock.Name, "left the petition track");
            }

            return Done();
        }

        public Decision<CaseEvent> Object(RaiseObjection c)
        {
            command = c.Name;
            if (Blank(c.Reason))
            {
                return Invalid("an objection states detailed reasons (Art. 23)");
            }

            if (s.Clock(ClockNames.Objection) is not { Status: ClockStatus.Running } window || now >= window.DueInstant)
            {
                return Transition("the 5-working-day objection period has ended (Art. 23)");
            }

            events.Add(new ObjectionRaised(c.Reason, by));
            Stop(ClockNames.Objection, "objection raised");
            return Done();
        }

        public Decision<CaseEvent> DecideObjection(DecideObjection c)
        {
            command = c.Name;
            if (Blank(c.Reason))
            {
                return Invalid("a reason is required");
            }

            if (!c.Upheld)
            {
                // The agency's acceptance clock kept running: an objection cannot be used to stall.
                events.Add(new ObjectionOverruled(c.Reason, by));
                return Done();
            }

            events.Add(new ObjectionUpheld(c.Reason, by));
            Stop(ClockNames.Acceptance, "objection upheld");
            Stop(ClockNames.Assignment, "objection upheld");
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.Routing, PolicyRules.Routing, today, now, s.BureauId!)));
            return Done();
        }

        public Decision<CaseEvent> Accept(AcceptCase c)
        {
            command = c.Name;
            if (s.Category is not { } category)
            {
                return Transition("classify the item before accepting it");
            }

            if (!c.NoticeSent && s.Petitioner is { Name.Length: > 0, Address.Length: > 0 })
            {
                return Invalid("the written notice of acceptance is owed: the petitioner's name and address are known (Art. 23)");
            }

            var rule = c.Mode == HandlingMode.Simplified ? PolicyRules.HandlingSimplified : category switch
            {
                Category.Complaint => PolicyRules.HandlingComplaint,
                Category.Suggestion => PolicyRules.HandlingSuggestion,
                _ => PolicyRules.HandlingAccusation,
            };
            events.Add(new CaseAccepted(c.Mode, today, c.NoticeSent, by));
            Stop(ClockNames.Acceptance, "accepted");
            Stop(ClockNames.Objection, "accepted");
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.Handling, rule, today, now, s.ResponsibleUnitId!)));
            return Done();
        }

        public Decision<CaseEvent> Extend(ApproveExtension c)
        {
            command = c.Name;
            if (s.Mode == HandlingMode.Simplified)
            {
                return Transition("simplified handling is not extended; a complex item is handled ordinarily");
            }

            if (s.Extension is not null)
            {
                return Transition("already extended (Art. 34 allows one extension)");
            }

            if (s.Clock(ClockNames.Handling) is not { IsActive: true } handling)
            {
                return Transition("the handling clock is not running");
            }

            if (c.Days < 1 || c.Days > Policy.MaxExtensionDays)
            {
                return Invalid($"an extension is 1 to {Policy.MaxExtensionDays} days (Art. 34), got {c.Days}");
            }

            if (Blank(c.Reason) || c.PetitionerToldOn > today)
            {
                return Invalid("an extension states its reason, told to the petitioner on or before today (Art. 34)");
            }

            events.Add(new ExtensionApproved(c.Days, c.Reason, c.PetitionerToldOn, by));
            var extended = decider.Reschedule(handling with { Extension = new ClockExtension(c.Days, c.Reason) }, decider.Profile(s), now);
            events.Add(new ClockRescheduled(extended, "extension approved"));
            return Done();
        }

        public Decision<CaseEvent> Reply(IssueReply c)
        {
            command = c.Name;
            if (Opinion(c.OpinionFile, c.ServedOn) is { } bad)
            {
                return bad;
            }

            var served = c.ServedOn ?? today;
            events.Add(new ReplyIssued(c.Outcome, c.OpinionFile, served, by, c.Digest));
            Stop(ClockNames.Handling, "replied");

            // Art. 35: 30 days from receipt of the written reply to request review.
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.ReviewWindow, PolicyRules.ReviewWindow, served, now, s.ResponsibleUnitId!)));
            return Done();
        }

        public Decision<CaseEvent> Report(SubmitCompletionReport c)
        {
            command = c.Name;
            if (!s.ReportRequired)
            {
                return Transition("no completion report is owed: the item was not assigned (交办) with a report");
            }

            if (Blank(c.ReportFile))
            {
                return Invalid("the report file is required");
            }

            events.Add(new CompletionReportSubmitted(c.ReportFile, by, c.Digest));
            Stop(ClockNames.Assignment, "completion report submitted");
            return Done();
        }

        public Decision<CaseEvent> Rate(RateHandling c)
        {
            command = c.Name;
            var stage = StageOf(s)!.Value;
            if (s.Ratings.Any(r => r.Stage == stage))
            {
                return Transition($"the {stage} opinion is already rated");
            }

            events.Add(new HandlingRated(stage, c.Rating, c.Comment, by));
            return Done();
        }

        public Decision<CaseEvent> RequestReview(RequestReview c)
        {
            command = c.Name;
            if (Window(ClockNames.ReviewWindow, c.ReceivedOn, "review (Art. 35)") is { } closed)
            {
                return closed;
            }

            var body = org.BodyOneLevelAbove(s.HandlingUnitId!);
            if (body is null)
            {
                return Invalid("the handling body has no body one level above to review it");
            }

            if (AccusationGuard.ExcludesUnit(org, s, body.Id))
            {
                return Forbidden("the body one level above is the accused unit; the conference office must designate a reviewer");
            }

            var received = c.ReceivedOn ?? today;
            events.Add(new ReviewRequested(body.Id, received, by));
            Stop(ClockNames.ReviewWindow, "review requested");
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.Review, PolicyRules.Review, received, now, body.Id)));
            return Done();
        }

        public Decision<CaseEvent> ReviewOpinion(IssueReviewOpinion c)
        {
            command = c.Name;
            if (Opinion(c.OpinionFile, c.ServedOn) is { } bad)
            {
                return bad;
            }

            var served = c.ServedOn ?? today;
            events.Add(new ReviewOpinionIssued(c.Outcome, c.OpinionFile, served, by, c.Digest));
            Stop(ClockNames.Review, "review opinion issued");
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.ReExamWindow, PolicyRules.ReExamWindow, served, now, s.ResponsibleUnitId!)));
            return Done();
        }

        public Decision<CaseEvent> RequestReExamination(RequestReExamination c)
        {
            command = c.Name;
            if (Window(ClockNames.ReExamWindow, c.ReceivedOn, "re-examination (Art. 36)") is { } closed)
            {
                return closed;
            }

            var body = org.BodyOneLevelAbove(s.ReviewBodyId!);
            if (body is null)
            {
                return Invalid("the reviewing body has no body one level above to re-examine");
            }

            if (AccusationGuard.ExcludesUnit(org, s, body.Id))
            {
                return Forbidden("the body one level above is the accused unit; the conference office must designate a re-examiner");
            }

            var received = c.ReceivedOn ?? today;
            events.Add(new ReExaminationRequested(body.Id, received, by));
            Stop(ClockNames.ReExamWindow, "re-examination requested");
            events.Add(new ClockStarted(decider.NewClock(s, Policy, decider.Profile(s), ClockNames.ReExam, PolicyRules.ReExam, received, now, body.Id)));
            return Done();
        }

        public Decision<CaseEvent> StartHearing(StartHearing c)
        {
            command = c.Name;
            if (s.HearingOpenSince is not null)
            {
                return Transition("a hearing is already open");
            }

            var clock = s.Clock(ClockNames.ReExam)!;
            if (c.On <= clock.Trigger || c.On > today || s.Clock(ClockNames.ReExam)!.Pauses.Any(p => p.To >= c.On))
            {
                return Invalid("a hearing starts after the request was received, after any earlier hearing, and not in the future");
            }

            events.Add(new HearingStarted(c.On, by));
            events.Add(new ClockPaused(clock.Name, clock.Generation, c.On, "听证"));
            return Done();
        }

        public Decision<CaseEvent> EndHearing(EndHearing c)
        {
            command = c.Name;
            if (s.HearingOpenSince is not { } since)
            {
                return Transition("no hearing is open");
            }

            if (c.On < since || c.On > today)
            {
                return Invalid("a hearing ends on or after the day it started, and not in the future");
            }

            var clock = s.Clock(ClockNames.ReExam)!;

            // Art. 36: hearing time is not counted; the days from..on (inclusive) are a pause of the clock.
            var resumed = clock with
            {
                Pauses = [.. clock.Pauses, new ClockPause(since, c.On, "听证")],
                Status = ClockStatus.Running,
                PausedFrom = null,
            };
            events.Add(new HearingEnded(c.On, by));
            events.Add(new ClockRescheduled(decider.Reschedule(resumed, decider.Profile(s), now), "hearing ended"));
            return Done();
        }

        public Decision<CaseEvent> ReExaminationOpinion(IssueReExaminationOpinion c)
        {
            command = c.Name;
            if (s.HearingOpenSince is not null)
            {
                return Transition("close the hearing before issuing the opinion");
            }

            if (Opinion(c.OpinionFile, c.ServedOn) is { } bad)
            {
                return bad;
            }

            events.Add(new ReExaminationOpinionIssued(c.Outcome, c.OpinionFile, c.ServedOn ?? today, by, c.Digest));
            Stop(ClockNames.ReExam, "re-examination opinion issued");
            return Done();
        }

        public Decision<CaseEvent> ReportMajor(ReportMajor c)
        {
            command = c.Name;
            if (Blank(c.Reason))
            {
                return Invalid("a reason is required");
            }

            events.Add(new MajorItemReported(c.Reason, by));
            return Done();
        }

        public Decision<CaseEvent> RecordRepeat(RecordRepeatPetition c)
        {
            command = c.Name;
            if (org.Unit(c.UnitId) is null)
            {
                return Invalid($"unknown unit '{c.UnitId}'");
            }

            if (c.ReceivedAt > now)
            {
                return Invalid("receivedAt is in the future");
            }

            if (!LegalCalendar.InRange(c.ReceivedAt))
            {
                return Invalid($"receivedAt is outside the legal calendar ({LegalCalendar.MinYear}–{LegalCalendar.MaxYear})");
            }

            events.Add(s.Status == CaseStatus.Final
                ? new RepeatPetitionRefused(c.ReceivedAt, c.Channel, c.UnitId, by)
                : new DuplicatePetitionNoted(c.ReceivedAt, c.Channel, c.UnitId, by));
            return Done();
        }

        public Decision<CaseEvent> Migrate(MigratePolicy c)
        {
            command = c.Name;
            var pinned = s.Policy!;
            var to = decider.Policies.Find(pinned with { Version = c.Version });
            if (to is null || c.Version < pinned.Version)
            {
                return Invalid($"policy {pinned.CaseType}/{pinned.Region}@{c.Version} is not loaded or is older than the pinned version {pinned.Version}");
            }

            events.Add(new PolicyMigrated(pinned, to.Ref, by));
            var profile = s.Major ? to.Urgent : to.Routine;
            foreach (var clock in s.ActiveClocks.Where(k => k.PolicyRule != ClockNames.Assignment))
            {
                var rule = to.Clock(clock.PolicyRule);
                var moved = clock with { Days = rule.Days, Unit = rule.Unit, Rule = rule.Rule, Article = rule.Article, Basis = rule.Basis };
                var next = decider.Reschedule(moved, profile, now);
                events.Add(new ClockRescheduled(clock.Status == ClockStatus.Paused ? next with { Status = ClockStatus.Paused, PausedFrom = clock.PausedFrom } : next, $"policy migrated to {to.Ref}"));
            }

            return Done();
        }

        public Decision<CaseEvent> ReissueQueryCode(ReissueQueryCode c)
        {
            command = c.Name;
            events.Add(new QueryCodeReissued(c.QueryCodeHash ?? QueryCodes.Hash(c.QueryCode!, s.CaseId!, c.QueryCodeSalt), by));
            return Done();
        }

        // ── helpers ──
        private Decision<CaseEvent>? Accusation(Category? category, string? accusedUnit, string? accusedPerson)
        {
            if (category != Category.Accusation && (accusedUnit is not null || accusedPerson is not null))
            {
                return Invalid("only an accusation (检举控告) names an accused unit or person");
            }

            return accusedUnit is not null && org.Unit(accusedUnit) is null ? Invalid($"unknown accused unit '{accusedUnit}'") : null;
        }

        private Decision<CaseEvent>? Window(string name, LocalDate? receivedOn, string what)
        {
            if (s.Clock(name) is not { Status: ClockStatus.Running } window || now >= window.DueInstant)
            {
                return Transition($"the 30-day period to request {what} has ended");
            }

            return receivedOn is { } r && (r > today || r < window.Trigger) ? Invalid("receivedOn must fall between the opinion's service and today") : null;
        }

        private Decision<CaseEvent>? Opinion(string file, LocalDate? servedOn)
        {
            if (Blank(file))
            {
                return Invalid("the written opinion is a stored file: opinionFile is required");
            }

            // Service follows issue; a month covers postal service, and bounds the window start to something plausible.
            return servedOn < today || servedOn > today.PlusDays(30) ? Invalid("servedOn must fall within 30 days after the opinion") : null;
        }

        private void Stop(string name, string reason)
        {
            if (s.Clock(name) is { IsActive: true } clock)
            {
                events.Add(new ClockStopped(name, clock.Generation, now, reason));
            }
        }

        private Decision<CaseEvent> Done() => Decision<CaseEvent>.Accept([.. events]);

        private Decision<CaseEvent> Invalid(string reason) => Decision<CaseEvent>.Reject(Rejection.Invalid(command, s.Status.ToString(), reason));

        private Decision<CaseEvent> Forbidden(string reason) => Decision<CaseEvent>.Reject(Rejection.Forbidden(command, s.Status.ToString(), reason));

        private Decision<CaseEvent> Transition(string reason) =>
            Decision<CaseEvent>.Reject(Rejection.Transition(command, s.Status.ToString(), reason, CaseTransitions.For(command)?.To));

        private static bool Blank(string? text) => string.IsNullOrWhiteSpace(text);
    }
}
