using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.Tickets.TicketSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>Every ticket command in every status, and "apply twice, the second time yields nothing".</summary>
public sealed class TicketMatrixTests
{
    private static Flow<TicketState, TicketCommand, TicketEvent> In(TicketStatus status) => status switch
    {
        TicketStatus.New => New(),
        TicketStatus.Open => Raised(),
        TicketStatus.Acknowledged => Ack(),
        TicketStatus.Responded => Responded(),
        _ => Closed(),
    };

    private static Flow<TicketState, TicketCommand, TicketEvent> Ack()
    {
        var f = Raised();
        f.Ok(new AcknowledgeTicket(Officer), At("2025-09-11"));
        return f;
    }

    private static Flow<TicketState, TicketCommand, TicketEvent> Closed()
    {
        var f = Responded();
        f.Ok(new AcceptResponse(Supervisor), At("2025-09-13"));
        return f;
    }

    /// <summary>A valid sample of each command for a ticket raised on 2025-09-10.</summary>
    public static TicketCommand Sample(string command) => command switch
    {
        "raise" => Raise() with { TicketId = "DB-OTHER" },
        "acknowledge" => new AcknowledgeTicket(Head),
        "respond" => new RespondToTicket(Head, "另一份反馈", [FileRef]),
        "accept-response" => new AcceptResponse(Supervisor, "可以"),
        "reject-response" => new RejectResponse(Supervisor, "不充分"),
        "conference-decision" => new ConferenceDecision(ConfStaff, Listed: true),
        "recommend-accountability" => new RecommendAccountability(Supervisor, Government, "严重后果"),
        "accountability-reply" => new RecordAccountabilityReply("ca-gov-head", "reply.pdf"),
        "close" => new CloseTicket(Actors.System),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    /// <summary>Allowed cells whose sample fails the command's own precondition, not the table.</summary>
    private static readonly Dictionary<string, string> OwnPrecondition = new()
    {
        ["conference-decision"] = "not been referred",
        ["accountability-reply"] = "no accountability reply is owed",
    };

    /// <summary>Cells the command itself led to: the state already says so, a redelivery yields nothing.</summary>
    private static readonly HashSet<(string, TicketStatus)> Redelivery =
        [("acknowledge", TicketStatus.Acknowledged), ("close", TicketStatus.Closed), ("accept-response", TicketStatus.Closed)];

    /// <summary>
    /// Written by hand from DOMAIN.md §4 and docs/supervision.md, not read from <see cref="TicketTransitions"/>: a 督办单
    /// is raised, acknowledged (签收), answered (反馈) and accepted or sent back by the supervisor; the conference's
    /// decisions and closing act on a live ticket; an accountability recommendation and its written reply (Art. 40)
    /// may follow even after the ticket closed.
    /// </summary>
    private static readonly HandMatrix<TicketStatus> Expected = new("""
        New Open Acknowledged Responded Closed
        raise                    | x . . . .
        acknowledge              | . x . . .
        respond                  | . x x . .
        accept-response          | . . . x .
        reject-response          | . . . x .
        conference-decision      | . x x x .
        recommend-accountability | . x x x x
        accountability-reply     | . x x x x
        close                    | . x x x .
        """);

    [Fact]
    public void The_production_table_matches_the_hand_written_matrix_cell_by_cell()
    {
        Assert.Empty(Expected.Differences(TicketTransitions.Rows.Select(r => (r.Command, r.From))));
    }

    public static TheoryData<TicketStatus> Statuses() => [.. Enum.GetValues<TicketStatus>()];

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Every_command_against_this_status_follows_the_transitions_table(TicketStatus status)
    {
        var f = In(status);
        Assert.Equal(status, f.State.Status);
        foreach (var row in TicketTransitions.Rows)
        {
            var command = Sample(row.Command);
            Assert.Equal(row.Command, command.Name);
            var d = Ticket.Decide(f.State, command, new DecisionContext(TicketId, "m", At("2025-09-15"), "t"));
            if (Expected.Allows(row.Command, status))
            {
                Assert.True(
                    !d.IsRejected || (OwnPrecondition.TryGetValue(row.Command, out var why) && d.Rejection!.Reason.Contains(why, StringComparison.Ordinal)),
                    $"{row.Command} in {status}: {d.Rejection}");
                Assert.True(d.IsRejected || d.Events.Count > 0, $"{row.Command} in {status} yielded nothing");
            }
            else if (Redelivery.Contains((row.Command, status)))
            {
                Assert.Empty(d.Events); // the state already says so: a redelivery
                Assert.False(d.IsRejected);
            }
            else
            {
                Assert.True(d.IsRejected, $"{row.Command} in {status} should be refused");
                Assert.Equal((RejectionKind.InvalidTransition, status.ToString(), row.Command), (d.Rejection!.Kind, d.Rejection.From, d.Rejection.Command));
                Assert.Equal(TicketTransitions.Why(row.Command, status), d.Rejection.Reason);
            }
        }
    }

    [Fact]
    public void The_table_covers_every_command_type_but_the_timer()
    {
        var names = typeof(TicketCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(TicketCommand)) && t != typeof(TicketTimerElapsed))
            .Select(TicketTransitions.NameOf).Order();
        Assert.Equal(names, TicketTransitions.Rows.Select(r => r.Command).Order());
    }

    [Fact]
    public void Applying_each_step_twice_yields_nothing_the_second_time()
    {
        var paths = new (TicketCommand Command, string At)[][]
        {
            [(Raise(), "2025-09-10"), (new AcknowledgeTicket(Officer), "2025-09-11"), (new RespondToTicket(Officer, "r", [FileRef]), "2025-09-12"), (new AcceptResponse(Supervisor), "2025-09-13")],
            [(Raise(), "2025-09-10"), (new RespondToTicket(Officer, "r", [FileRef]), "2025-09-12"), (new RejectResponse(Supervisor, "不充分"), "2025-09-13"),
                (new RecommendAccountability(Supervisor, Government, "后果严重"), "2025-09-14"), (new RecordAccountabilityReply("ca-gov-head", "a.pdf"), "2025-09-20"),
                (new CloseTicket(Actors.System), "2025-09-21")],
        };
        foreach (var path in paths)
        {
            var f = New();
            foreach (var (command, at) in path)
            {
                f.Ok(command, At(at));
                var again = f.Do(command, At(at));
                Assert.False(again.IsRejected, $"{command.Name} redelivered: {again.Rejection}");
                Assert.Empty(again.Events);
            }
        }
    }
}
