using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.Tickets.TicketSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>Ticket commands, events and state round-trip through <see cref="TicketJson.Options"/>; golden files pin the stored shape.</summary>
public sealed class TicketJsonTests
{
    private static readonly NodaTime.Instant T = At("2025-09-10");
    private static readonly LegalClock Clock = Raised().State.Response!;
    private static readonly JsonSerializerOptions Indented = new(TicketJson.Options) { WriteIndented = true };

    public static IEnumerable<TicketEvent> SampleEvents() =>
    [
        new TicketRaised(TicketId, CaseId, Agency, Bureau, SupervisionGround.Stalling, SupervisionForm.Interview, "拖延", Category.Accusation, "ca-land", null, "handling", Clock, Supervisor),
        new TicketAcknowledged(T, Officer),
        new TicketResponded("已处理", [FileRef], T, true, Officer),
        new TicketResponseAccepted("同意", Supervisor),
        new TicketResponseRejected("不充分", Supervisor),
        new TicketEscalated(SupervisionForm.Written, SupervisionForm.Interview, Clock with { Generation = 2 }, EscalationCause.Unanswered),
        new TicketReminderSent(1, D("2025-09-17")),
        new TicketDeadlineMissed(SupervisionForm.ConferenceReferral, 5, D("2025-10-17")),
        new ConferenceDecided(true, false, "ca-land", 10, "挂牌", ConfStaff),
        new AccountabilityRecommended(Government, "严重后果", Clock with { Name = TicketDecider.AccountabilityClock }, ConfStaff),
        new AccountabilityReplied("reply.pdf", T, "ca-gov-head"),
        new AccountabilityReplyOverdue(1, D("2025-10-13")),
        new TicketClosed(TicketCloseReason.CaseClosed, Actors.System),
    ];

    [Fact]
    public void Every_event_type_round_trips()
    {
        var samples = SampleEvents().ToList();
        var all = typeof(TicketEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(TicketEvent)));
        Assert.Equal(all.Select(t => t.Name).Order(), samples.Select(e => e.GetType().Name).Order());
        foreach (var e in samples)
        {
            var json = TicketJson.Serialize(e);
            Assert.StartsWith("{\"$type\":", json, StringComparison.Ordinal);
            var back = TicketJson.Deserialize<TicketEvent>(json);
            Assert.Equal(e.GetType(), back.GetType());
            Assert.Equal(json, TicketJson.Serialize(back));
        }
    }

    [Fact]
    public void Every_command_type_round_trips()
    {
        var samples = TicketTransitions.Rows.Select(r => TicketMatrixTests.Sample(r.Command))
            .Append(new TicketTimerElapsed(Actors.System, "response:due", 3)).ToList();
        var all = typeof(TicketCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(TicketCommand)));
        Assert.Equal(all.Select(t => t.Name).Order(), samples.Select(c => c.GetType().Name).Order());
        foreach (var c in samples)
        {
            var json = TicketJson.Serialize(c);
            var back = TicketJson.Deserialize<TicketCommand>(json);
            Assert.Equal(c.GetType(), back.GetType());
            Assert.Equal(json, TicketJson.Serialize(back));
        }
    }

    [Fact]
    public void State_round_trips_as_a_snapshot()
    {
        var f = Referred();
        f.Ok(new ConferenceDecision(ConfStaff, Listed: true, Note: "挂牌"), f.State.Response!.StartedAt);
        f.Ok(new RecommendAccountability(ConfStaff, Government, "严重后果"), f.State.Response!.StartedAt);
        var json = TicketJson.Serialize(f.State);
        Assert.Equal(json, TicketJson.Serialize(TicketJson.Deserialize<TicketState>(json)));
        Assert.Contains("\"form\":\"ConferenceReferral\"", json, StringComparison.Ordinal);
    }

    /// <summary>A recorded ticket history is a contract: it must keep loading and fold to the same state.</summary>
    [Fact]
    public void Golden_ticket_history_still_loads_and_folds()
    {
        const string file = "ticket-escalated-v1.json";
        var f = Raised();
        f.Fire("response:remind");
        f.Fire("response:due");
        f.Ok(new RespondToTicket(Officer, "已处理", [FileRef]), At("2025-09-20"));
        f.Ok(new RejectResponse(Supervisor, "不充分", D("2025-09-30")), At("2025-09-22"));
        var path = Path.Combine(SourceDir(), "Tickets", "Golden", file);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(f.History, Indented) + "\n");
            Assert.Fail($"golden file {file} was missing and has been written; commit it and re-run");
        }

        var text = File.ReadAllText(path);
        var stored = TicketJson.Deserialize<List<TicketEvent>>(text);
        var state = stored.Aggregate(Ticket.Initial, Ticket.Evolve);
        Assert.Equal(TicketJson.Serialize(f.State), TicketJson.Serialize(state));
        Assert.Equal((SupervisionForm.OnSite, 3), (state.Form, state.Response!.Generation));
        Assert.Equal(JsonNode.Parse(text)!.ToJsonString(), JsonNode.Parse(TicketJson.Serialize(stored))!.ToJsonString());
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
