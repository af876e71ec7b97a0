using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Tests.Cases;

/// <summary>Given(events) / When(command, at) / Then(events) over the demo org, default policy and shipped calendar.</summary>
public static class CaseSpec
{
    public const string CaseId = "XF-2025-000001";
    public const string QueryCode = "Q-7F3K-91";

    /// <summary>A fictional identity number with a valid GB 11643 check character (the golden files keep the old, invalid one).</summary>
    public const string IdNumber = "990101199001011230";
    public const string Registrar = "ca-registrar";      // 东城县信访局
    public const string Bureau = "ca-bureau";
    public const string Agency = "ca-housing";           // 东城县住建局
    public const string Officer = "ca-housing-officer";
    public const string Head = "ca-housing-head";
    public const string ReviewBody = "ca-gov";           // one level above the agency
    public const string ReExamBody = "c-gov";            // one level above the reviewer
    public const string CityLeader = "c-leader";         // 郑国栋, leader of the city government and Party committee
    /// <summary>The hash of <see cref="QueryCode"/> as the edge makes it (a fixed 16-byte salt here, random there).</summary>
    public static readonly string QueryCodeHash = QueryCodes.Hash(QueryCode, [.. Enumerable.Range(1, QueryCodes.SaltBytes).Select(i => (byte)i)]);

    /// <summary>The petitioner as the edge names them after checking <see cref="QueryCode"/>: by the hash, never the code.</summary>
    public static readonly string PetitionerActor = Actors.PetitionerFor(QueryCodeHash);

    public static CaseDecider Decider { get; } = CaseDecider.Demo;

    public static LegalCalendar LegalDays => LegalCalendar.Default;

    public static OrgDirectory OrgDemo => OrgDirectory.Demo;

    public static LocalDate D(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    /// <summary>A local (Asia/Shanghai) time, "2025-09-10 10:00" or a date (10:00 that day).</summary>
    public static Instant At(string local)
    {
        var text = local.Length == 10 ? local + " 10:00" : local;
        return LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm").Parse(text).Value
            .InZoneStrictly(LegalCalendar.Zone).ToInstant();
    }

    public static DecisionContext Ctx(Instant now, string actor = "test") => new(CaseId, "m-" + now.ToUnixTimeTicks(), now, actor);

    public static RegisterCase Register(string at, Category? category = Category.Complaint, string unit = Bureau, string actor = Registrar) =>
        new(actor, CaseId, QueryCodeHash, Channel.Letter, At(at), unit, new Petitioner("张三", IdNumber, "13800000000", "东城县青石镇1号"),
            "要求解决房屋质量问题", "house:ca1-001", Category: category);

    /// <summary>A sample of each command, differing from anything on the paths, with an actor fit for the state.</summary>
    public static CaseCommand Sample(string command, CaseState s, string now)
    {
        var unit = s.ResponsibleUnitId ?? Bureau;
        var bureauHolds = OrgDemo.Unit(unit)?.Type == UnitType.PetitionBureau;
        var staff = bureauHolds ? Registrar : unit + "-officer";
        var today = LegalCalendar.LocalDateOf(At(now));
        return command switch
        {
            "register" => Register("2025-09-10") with { CaseId = "XF-OTHER" },
            "classify" => new ClassifyCase(staff, Category.Suggestion),
            "route" => new RouteCase(Registrar, RoutingKind.Forward, "ca-land"),
            "refer-out" => new ReferOut(staff, ReferralChannel.Litigation, "已起诉"),
            "object" => new RaiseObjection(staff, "另一理由"),
            "decide-objection" => new DecideObjection(Registrar, false, "属于其职责"),
            "accept" => new AcceptCase(staff, HandlingMode.Simplified),
            "approve-extension" => new ApproveExtension(unit + "-head", 10, "需要鉴定", today),
            "reply" => new IssueReply(staff, Outcome.Explain, "other.pdf"),
            "completion-report" => new SubmitCompletionReport(Officer, "report-2.pdf"),
            "rate" => new RateHandling(PetitionerActor, Rating.BasicallySatisfied),
            "request-review" => new RequestReview(PetitionerActor),
            "review-opinion" => new IssueReviewOpinion(staff, Outcome.Support, "other-review.pdf"),
            "request-reexamination" => new RequestReExamination(PetitionerActor),
            "start-hearing" => new StartHearing(staff, today),
            "end-hearing" => new EndHearing(staff, today),
            "reexamination-opinion" => new IssueReExaminationOpinion(staff, Outcome.Support, "other-reexam.pdf"),
            "report-major" => new ReportMajor(bureauHolds ? Registrar : staff, "可能引发群体性事件"),
            "record-repeat" => new RecordRepeatPetition("cb-registrar", At(now), Channel.Phone, "cb-bureau"),
            "migrate-policy" => new MigratePolicy(Actors.System, 2),
            // The same code again: a no-op here, so the petitioner samples (PetitionerActor) keep working; H1 tests a new code.
            "reissue-query-code" => new ReissueQueryCode(Registrar, QueryCodeHash),
            "conference-extension" => new ApplyConferenceExtension(Actors.System, "DB-OTHER-handling-1", 10, "联席会议同意延期"),
            "reassign" => new ReassignCase(Actors.System, "DB-OTHER", "ca-land", "联席会议改交"),
            "mark-supervision" => new MarkSupervision(Actors.System, "DB-OTHER", true, false),
            "joint-assignment" => new ApplyJointAssignment(Actors.System, "LH-OTHER", "ca-land", today.PlusDays(40), [new CoHandlerDeadline("cb-housing", today.PlusDays(20))]),
            "record-ticket" => new RecordTicket(Actors.System, "DB-OTHER"),
            "take-ownership" => new TakeOwnership(CityLeader, "领导决定包案"),
            "assign-owner" => new AssignOwnership(Actors.System, "DB-OTHER", CityLeader, "联席会议决定领导包案"),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
        };
    }

    public static CaseState Fold(IEnumerable<CaseEvent> events, CaseDecider? decider = null) =>
        events.Aggregate((decider ?? Decider).Initial, (decider ?? Decider).Evolve);

    public static Given Given(params CaseEvent[] events) => new([.. events], Decider);

    /// <summary>Runs steps that must all be accepted; returns every event.</summary>
    public static List<CaseEvent> Run(params (CaseCommand Command, string At)[] steps) => Run(Decider, steps);

    public static List<CaseEvent> Run(CaseDecider decider, params (CaseCommand Command, string At)[] steps)
    {
        var events = new List<CaseEvent>();
        var state = decider.Initial;
        foreach (var (command, at) in steps)
        {
            var d = decider.Decide(state, command, Ctx(At(at)));
            Assert.False(d.IsRejected, $"{command.Name} at {at} was rejected: {d.Rejection}");
            foreach (var e in d.Events)
            {
                state = decider.Evolve(state, e);
                events.Add(e);
            }
        }

        return events;
    }

    // ── the canonical path: each step's command and local time ──
    public static readonly (CaseCommand Command, string At)[] Registered = [(Register("2025-09-10"), "2025-09-10")];

    public static readonly (CaseCommand Command, string At)[] Routed =
        [.. Registered, (new RouteCase(Registrar, RoutingKind.Assign, Agency, D("2025-11-30")), "2025-09-11")];

    public static readonly (CaseCommand Command, string At)[] Accepted = [.. Routed, (new AcceptCase(Officer), "2025-09-12")];

    public static readonly (CaseCommand Command, string At)[] Replied =
        [.. Accepted, (new IssueReply(Officer, Outcome.Support, "opinion-1.pdf"), "2025-10-20")];

    public static readonly (CaseCommand Command, string At)[] UnderReview = [.. Replied, (new RequestReview(PetitionerActor), "2025-10-25")];

    public static readonly (CaseCommand Command, string At)[] Reviewed =
        [.. UnderReview, (new IssueReviewOpinion("ca-gov-officer", Outcome.Explain, "review-1.pdf"), "2025-11-10")];

    public static readonly (CaseCommand Command, string At)[] UnderReExamination =
        [.. Reviewed, (new RequestReExamination(PetitionerActor), "2025-11-14")];

    public static readonly (CaseCommand Command, string At)[] Final =
        [.. UnderReExamination, (new IssueReExaminationOpinion("c-gov-officer", Outcome.NotSupport, "reexam-1.pdf"), "2025-12-01")];
}

/// <summary>A state given by past events, ready for When.</summary>
public sealed class Given(List<CaseEvent> events, CaseDecider decider)
{
    public CaseState State { get; } = CaseSpec.Fold(events, decider);

    public Given With(CaseDecider other) => new(events, other);

    public Then When(CaseCommand command, string at) => When(command, CaseSpec.At(at));

    public Then When(CaseCommand command, Instant at) => new(State, decider.Decide(State, command, CaseSpec.Ctx(at)), decider, at);
}

public sealed class Then(CaseState before, Decision<CaseEvent> decision, CaseDecider decider, Instant at)
{
    public Decision<CaseEvent> Decision => decision;

    public IReadOnlyList<CaseEvent> Events => decision.Events;

    public CaseState After => decision.Events.Aggregate(before, decider.Evolve);

    public LegalClock Started(string clock) =>
        Assert.Single(decision.Events.OfType<ClockStarted>(), e => e.Clock.Name == clock).Clock;

    public Then Accepted()
    {
        Assert.False(decision.IsRejected, decision.Rejection?.ToString());
        Assert.NotEmpty(decision.Events);
        return this;
    }

    /// <summary>Then(events): exactly these event types, in order.</summary>
    public Then Events_are(params Type[] types)
    {
        Assert.False(decision.IsRejected, decision.Rejection?.ToString());
        Assert.Equal(types, decision.Events.Select(e => e.GetType()));
        return this;
    }

    public Then Nothing()
    {
        Assert.False(decision.IsRejected, decision.Rejection?.ToString());
        Assert.Empty(decision.Events);
        return this;
    }

    public Rejection Rejected(RejectionKind kind)
    {
        Assert.True(decision.IsRejected, $"expected {kind}, got events {string.Join(", ", decision.Events.Select(e => e.GetType().Name))}");
        Assert.Equal(kind, decision.Rejection!.Kind);
        return decision.Rejection;
    }

    public IReadOnlyList<Effect> Effects(long sequence = 10)
    {
        var effects = new List<Effect>();
        var state = before;
        foreach (var e in decision.Events)
        {
            var next = decider.Evolve(state, e);
            effects.AddRange(decider.Effects(state, e, next, new EffectContext(CaseSpec.CaseId, sequence++, at)));
            state = next;
        }

        return effects;
    }
}
