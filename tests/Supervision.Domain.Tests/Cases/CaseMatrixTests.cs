using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>
/// Every command against every status: a cell the transitions table forbids is a Transition rejection (409) naming
/// the status; an allowed cell is never refused by the table. Plus "apply twice, second time yields nothing".
/// </summary>
public sealed class CaseMatrixTests
{
    private static readonly PolicyDocument V1 = PolicyCatalog.Default.Get(new("petition", "*", 1));

    // States are built under v1; decisions use a catalog that also has v2, so migrate-policy has somewhere to go.
    private static readonly CaseDecider WithV2 = new(LegalDays, PolicyCatalog.Default.With(V1 with { Version = 2 }), OrgDemo);

    /// <summary>A path to each status, and the local time just after it.</summary>
    public static readonly Dictionary<CaseStatus, ((CaseCommand, string)[] Steps, string Now)> Paths = new()
    {
        [CaseStatus.New] = ([], "2025-09-10"),
        [CaseStatus.Registered] = (Registered, "2025-09-10 12:00"),
        [CaseStatus.ReceivedByAgency] = ([(Register("2025-09-10", null, Agency, Officer), "2025-09-10")], "2025-09-10 12:00"),
        [CaseStatus.Routed] = (Routed, "2025-09-11 12:00"),
        [CaseStatus.ObjectionPending] = ([.. Routed, (new RaiseObjection(Officer, "不属本单位职责"), "2025-09-12")], "2025-09-12 12:00"),
        [CaseStatus.Accepted] = (Accepted, "2025-09-12 12:00"),
        [CaseStatus.Replied] = (Replied, "2025-10-21 12:00"),
        [CaseStatus.UnderReview] = (UnderReview, "2025-10-26 12:00"),
        [CaseStatus.Reviewed] = (Reviewed, "2025-11-11 12:00"),
        [CaseStatus.UnderReExamination] = (UnderReExamination, "2025-11-17 12:00"),
        [CaseStatus.Final] = (Final, "2025-12-02 12:00"),
        [CaseStatus.Closed] = ([.. Replied, (new TimerOf("review-window:due"), "")], "2025-11-21 12:00"),
        [CaseStatus.ReferredOut] = ([.. Routed, (new ReferOut(Officer, ReferralChannel.Arbitration, "已申请仲裁"), "2025-09-12")], "2025-09-12 12:00"),
    };

    private static readonly HashSet<(string, CaseStatus)> Redelivery =
        [("request-review", CaseStatus.UnderReview), ("request-reexamination", CaseStatus.UnderReExamination)];

    /// <summary>Allowed cells whose sample is refused by the command's own precondition (not by the table).</summary>
    private static readonly Dictionary<(string, CaseStatus), string> OwnPrecondition = new()
    {
        [("accept", CaseStatus.ReceivedByAgency)] = "classify the item before accepting it", // the direct intake is unclassified
        [("end-hearing", CaseStatus.UnderReExamination)] = "no hearing is open",
    };

    /// <summary>
    /// Written by hand from DOMAIN.md §2 and docs/case.md, not read from <see cref="CaseTransitions"/>. Columns: New,
    /// Registered (at a bureau, Art. 22), ReceivedByAgency (directly, Art. 23), Routed, ObjectionPending (Art. 23),
    /// Accepted (60 days, Art. 34), Replied, UnderReview (Art. 35), Reviewed, UnderReExamination (Art. 36), Final (no
    /// further request on the same facts, Art. 36), Closed (a window lapsed), ReferredOut (left the petition track,
    /// Arts. 28, 31). Rows after `reexamination-opinion` are the bureau's and the oversight orchestrations' steps: they
    /// act while the case is open, and the record of a repeat, a ticket or a new query code stays possible later.
    /// </summary>
    private static readonly HandMatrix<CaseStatus> Expected = new("""
        New Registered ReceivedByAgency Routed ObjectionPending Accepted Replied UnderReview Reviewed UnderReExamination Final Closed ReferredOut
        register              | x . . . . . . . . . . . .
        classify              | . x x . . . . . . . . . .
        route                 | . x . . . . . . . . . . .
        refer-out             | . x x x . . . . . . . . .
        object                | . . . x . . . . . . . . .
        decide-objection      | . . . . x . . . . . . . .
        accept                | . . x x . . . . . . . . .
        approve-extension     | . . . . . x . . . . . . .
        reply                 | . . . . . x . . . . . . .
        completion-report     | . . . . . . x x x x x x .
        rate                  | . . . . . . x . x . x x .
        request-review        | . . . . . . x . . . . . .
        review-opinion        | . . . . . . . x . . . . .
        request-reexamination | . . . . . . . . x . . . .
        start-hearing         | . . . . . . . . . x . . .
        end-hearing           | . . . . . . . . . x . . .
        reexamination-opinion | . . . . . . . . . x . . .
        report-major          | . x x x x x x x x x . . .
        record-repeat         | . x x x x x x x x x x . .
        migrate-policy        | . x x x x x x x x x . . .
        reissue-query-code    | . x x x x x x x x x x x x
        conference-extension  | . . . . . x . . . . . . .
        reassign              | . . . x x x . . . . . . .
        mark-supervision      | . x x x x x x x x x . . .
        joint-assignment      | . x . x . . . . . . . . .
        record-ticket         | . x x x x x x x x x x x x
        take-ownership        | . x x x x x x x x x . . .
        assign-owner          | . x x x x x x x x x . . .
        """);

    [Fact]
    public void The_production_table_matches_the_hand_written_matrix_cell_by_cell()
    {
        Assert.Empty(Expected.Differences(CaseTransitions.Rows.Select(r => (r.Command, r.From))));
    }

    public static TheoryData<CaseStatus> Statuses() => [.. Enum.GetValues<CaseStatus>()];

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Every_command_against_this_status_follows_the_transitions_table(CaseStatus status)
    {
        var (steps, now) = Paths[status];
        var state = Build(steps);
        Assert.Equal(status, state.Status);

        foreach (var row in CaseTransitions.Rows)
        {
            var command = CaseSpec.Sample(row.Command, state, now);
            Assert.Equal(row.Command, command.Name);
            var d = WithV2.Decide(state, command, Ctx(At(now)));
            if (Expected.Allows(row.Command, status))
            {
                Assert.False(
                    d.Rejection?.Kind == RejectionKind.InvalidTransition && d.Rejection.Reason == CaseTransitions.Why(row.Command, status),
                    $"{row.Command} in {status} is allowed by the hand-written matrix but the decider refused it as a transition");
                if (d.IsRejected)
                {
                    // The sample is valid in this status unless the command's own precondition says otherwise.
                    Assert.True(
                        OwnPrecondition.TryGetValue((row.Command, status), out var why) && d.Rejection!.Reason.Contains(why, StringComparison.Ordinal),
                        $"{row.Command} in {status}: {d.Rejection}");
                }
            }
            else if (Redelivery.Contains((row.Command, status)))
            {
                // These commands carry no data beyond the request itself: in the status they lead to, they are redeliveries.
                Assert.False(d.IsRejected);
                Assert.Empty(d.Events);
            }
            else
            {
                Assert.True(d.IsRejected, $"{row.Command} in {status} should be refused");
                Assert.Equal(RejectionKind.InvalidTransition, d.Rejection!.Kind);
                Assert.Equal(status.ToString(), d.Rejection.From);
                Assert.Equal(row.Command, d.Rejection.Command);
            }
        }
    }

    [Fact]
    public void The_table_covers_every_command_type_but_the_timer()
    {
        var names = typeof(CaseCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(CaseCommand)) && t != typeof(ClockTimerElapsed))
            .Select(CaseTransitions.NameOf).Order();
        Assert.Equal(names, CaseTransitions.Rows.Select(r => r.Command).Order());
    }

    [Fact]
    public void Applying_each_step_of_the_full_path_twice_yields_nothing_the_second_time()
    {
        var paths = new[]
        {
            Final,
            Paths[CaseStatus.ObjectionPending].Steps,
            [.. Paths[CaseStatus.ObjectionPending].Steps, (new DecideObjection(Registrar, true, "核实属实"), "2025-09-13")],
            Paths[CaseStatus.ReferredOut].Steps,
            [.. Accepted, (new ApproveExtension(Head, 20, "复杂", D("2025-10-01")), "2025-10-01"), (new ReportMajor(Officer, "紧急"), "2025-10-02")],
            [.. Replied, (new RateHandling(PetitionerActor, Rating.Dissatisfied), "2025-10-21"), (new SubmitCompletionReport(Officer, "r.pdf"), "2025-10-22")],
            [.. UnderReExamination, (new StartHearing("c-gov-officer", D("2025-11-18")), "2025-11-18"), (new EndHearing("c-gov-officer", D("2025-11-19")), "2025-11-19")],
        };
        foreach (var path in paths)
        {
            var state = Decider.Initial;
            foreach (var (command, at) in path)
            {
                var first = Decider.Decide(state, command, Ctx(At(at)));
                Assert.False(first.IsRejected, $"{command.Name}: {first.Rejection}");
                state = first.Events.Aggregate(state, Decider.Evolve);

                var second = Decider.Decide(state, command, Ctx(At(at)));
                Assert.False(second.IsRejected, $"{command.Name} redelivered: {second.Rejection}");
                Assert.Empty(second.Events);
            }
        }
    }

    /// <summary>Placeholder step: fire the named timer at its due instant.</summary>
    private sealed record TimerOf(string Key) : CaseCommand(Actors.System);

    private static CaseState Build((CaseCommand Command, string At)[] steps)
    {
        var state = Decider.Initial;
        foreach (var (command, at) in steps)
        {
            Decision<CaseEvent> d;
            if (command is TimerOf t)
            {
                var timer = Decider.Timers(state).Single(x => x.Key == t.Key);
                d = Decider.Decide(state, Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), Ctx(timer.DueAt));
            }
            else
            {
                d = Decider.Decide(state, command, Ctx(At(at)));
            }

            Assert.False(d.IsRejected, $"{command.GetType().Name}: {d.Rejection}");
            state = d.Events.Aggregate(state, Decider.Evolve);
        }

        return state;
    }
}
