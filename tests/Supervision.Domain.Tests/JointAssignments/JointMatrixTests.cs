using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.JointAssignments.JointSpec;

namespace Supervision.Domain.Tests.JointAssignments;

/// <summary>Every joint command in every status, redelivery, and the JSON contract.</summary>
public sealed class JointMatrixTests
{
    private static Flow<JointState, JointCommand, JointEvent> In(JointStatus status)
    {
        switch (status)
        {
            case JointStatus.New: return New();
            case JointStatus.Consulting: return Proposed();
            case JointStatus.Disputed: return Disputed();
            case JointStatus.AwaitingApproval: return Agreed();
            default:
                var f = Agreed();
                f.Ok(status == JointStatus.Approved ? new ApproveJointAssignment(ConfStaff) : new RejectJointAssignment(ConfStaff, "不予批准"), At("2025-09-12"));
                return f;
        }
    }

    public static JointCommand Sample(string command) => command switch
    {
        "propose" => Propose() with { AssignmentId = "LH-OTHER" },
        "consent" => new ConsentToJointAssignment("ca-land-officer", Land),
        "dispute" => new DisputeJointAssignment(Officer, Agency, "另有理由"),
        "resolve-dispute" => new ResolveDispute("ca-gov-head", Arrangement(coDue: "2025-11-20"), "裁定"),
        "approve" => new ApproveJointAssignment(ConfStaff, "同意"),
        "amend" => new AmendJointAssignment(ConfStaff, Arrangement(coDue: "2025-11-21"), "调整"),
        "reject" => new RejectJointAssignment(ConfStaff, "另一理由"),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    /// <summary>
    /// Written by hand from DOMAIN.md §3 (Art. 24), not read from <see cref="JointTransitions"/>: the bureau proposes,
    /// each agency consents or disputes while consulting, the common superior (or the conference) resolves a dispute,
    /// and the conference office approves, amends or rejects an agreed assignment.
    /// </summary>
    private static readonly HandMatrix<JointStatus> Expected = new("""
        New Consulting Disputed AwaitingApproval Approved Rejected
        propose         | x . . . . .
        consent         | . x . . . .
        dispute         | . x . . . .
        resolve-dispute | . . x . . .
        approve         | . . . x . .
        amend           | . . . x . .
        reject          | . . . x . .
        """);

    [Fact]
    public void The_production_table_matches_the_hand_written_matrix_cell_by_cell()
    {
        Assert.Empty(Expected.Differences(JointTransitions.Rows.Select(r => (r.Command, r.From))));
    }

    public static TheoryData<JointStatus> Statuses() => [.. Enum.GetValues<JointStatus>()];

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Every_command_against_this_status_follows_the_transitions_table(JointStatus status)
    {
        var f = In(status);
        Assert.Equal(status, f.State.Status);
        foreach (var row in JointTransitions.Rows)
        {
            var command = Sample(row.Command);
            Assert.Equal(row.Command, command.Name);
            var d = Joint.Decide(f.State, command, new DecisionContext(AssignmentId, "m", At("2025-09-12"), "t"));
            if (Expected.Allows(row.Command, status))
            {
                Assert.False(d.IsRejected, $"{row.Command} in {status}: {d.Rejection}");
                Assert.NotEmpty(d.Events);
            }
            else if ((row.Command == "consent" && status is JointStatus.AwaitingApproval or JointStatus.Approved or JointStatus.Rejected)
                || (row.Command == "approve" && status == JointStatus.Approved))
            {
                Assert.False(d.IsRejected); // the state already records it (the land bureau's consent, the approval): a redelivery
                Assert.Empty(d.Events);
            }
            else
            {
                Assert.True(d.IsRejected, $"{row.Command} in {status} should be refused");
                Assert.Equal((RejectionKind.InvalidTransition, status.ToString(), JointTransitions.Why(row.Command, status)), (d.Rejection!.Kind, d.Rejection.From, d.Rejection.Reason));
            }
        }
    }

    [Fact]
    public void The_table_covers_every_command_type_but_the_timer()
    {
        var names = typeof(JointCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(JointCommand)) && t != typeof(JointTimerElapsed))
            .Select(JointTransitions.NameOf).Order();
        Assert.Equal(names, JointTransitions.Rows.Select(r => r.Command).Order());
    }

    [Fact]
    public void Applying_each_step_twice_yields_nothing_the_second_time()
    {
        var paths = new (JointCommand Command, string At)[][]
        {
            [(Propose(), "2025-09-10"), (new ConsentToJointAssignment(Officer, Agency), "2025-09-11"), (new ConsentToJointAssignment("ca-land-head", Land), "2025-09-11"),
                (new AmendJointAssignment(ConfStaff, Arrangement(coDue: "2025-11-21"), "调整"), "2025-09-12")],
            [(Propose(), "2025-09-10"), (new DisputeJointAssignment("ca-land-officer", Land, "争议"), "2025-09-11"),
                (new ResolveDispute("ca-leader", Arrangement(), "维持"), "2025-09-12"), (new ApproveJointAssignment(ConfStaff), "2025-09-13")],
            [(Propose(), "2025-09-10"), (new ConsentToJointAssignment(Officer, Agency), "2025-09-11"),
                (new ConsentToJointAssignment("ca-land-head", Land), "2025-09-11"), (new RejectJointAssignment(ConfStaff, "不批"), "2025-09-12")],
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

    [Fact]
    public void Every_command_event_and_the_state_round_trip_through_json()
    {
        var commands = JointTransitions.Rows.Select(r => Sample(r.Command)).Append(new JointTimerElapsed(Supervision.Domain.Cases.Actors.System, "approval:due", 2)).ToList();
        Assert.Equal(
            typeof(JointCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(JointCommand))).Select(t => t.Name).Order(),
            commands.Select(c => c.GetType().Name).Order());
        foreach (var c in commands)
        {
            var json = JointJson.Serialize(c);
            Assert.Equal(json, JointJson.Serialize(JointJson.Deserialize<JointCommand>(json)));
        }

        // Walk every event type: consult, dispute, missed deadline, settle, remind, amend; plus a rejection and a direct approval.
        var f = Disputed();
        f.Fire("dispute:remind");
        f.Fire("dispute:due");
        f.Ok(new ResolveDispute(ConfStaff, Arrangement(), "维持"), At("2025-09-25"));
        var rejected = Agreed();
        rejected.Ok(new RejectJointAssignment(ConfStaff, "不批"), At("2025-09-12"));
        var amended = Agreed();
        amended.Ok(new AmendJointAssignment(ConfStaff, Arrangement(coDue: "2025-11-21"), "调整"), At("2025-09-12"));
        var events = f.History.Concat(rejected.History).Concat(amended.History).ToList();
        Assert.Equal(
            typeof(JointEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(JointEvent))).Select(t => t.Name).Order(),
            events.Select(e => e.GetType().Name).Distinct().Order());
        foreach (var e in events)
        {
            var json = JointJson.Serialize(e);
            Assert.StartsWith("{\"$type\":", json, StringComparison.Ordinal);
            Assert.Equal(json, JointJson.Serialize(JointJson.Deserialize<JointEvent>(json)));
        }

        var state = JointJson.Serialize(f.State);
        Assert.Equal(state, JointJson.Serialize(JointJson.Deserialize<JointState>(state)));
        Assert.Equal(state, JointJson.Serialize(JointJson.Deserialize<List<JointEvent>>(JointJson.Serialize(f.History)).Aggregate(Joint.Initial, Joint.Evolve)));
    }

    private static readonly JsonSerializerOptions Indented = new(JointJson.Options) { WriteIndented = true };

    /// <summary>A recorded joint-assignment history is a contract: it must keep loading and fold to the same state.</summary>
    [Fact]
    public void Golden_joint_history_still_loads_and_folds()
    {
        const string file = "joint-disputed-v1.json";
        var f = Disputed();
        f.Fire("dispute:remind");
        f.Ok(new ResolveDispute("ca-leader", Arrangement(lead: Land, co: Agency), "由自然资源局牵头"), At("2025-09-12"));
        f.Ok(new AmendJointAssignment(ConfStaff, Arrangement(lead: Land, co: Agency, leadDue: "2025-12-12"), "延长期限"), At("2025-09-15"));
        var path = Path.Combine(SourceDir(), "JointAssignments", "Golden", file);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(f.History, Indented) + "\n");
            Assert.Fail($"golden file {file} was missing and has been written; commit it and re-run");
        }

        var text = File.ReadAllText(path);
        var stored = JointJson.Deserialize<List<JointEvent>>(text);
        var state = stored.Aggregate(Joint.Initial, Joint.Evolve);
        Assert.Equal(JointJson.Serialize(f.State), JointJson.Serialize(state));
        Assert.Equal((JointStatus.Approved, Land, true), (state.Status, state.Arrangement!.LeadAgencyId, state.Amended));
        Assert.Equal(JsonNode.Parse(text)!.ToJsonString(), JsonNode.Parse(JointJson.Serialize(stored))!.ToJsonString());
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
