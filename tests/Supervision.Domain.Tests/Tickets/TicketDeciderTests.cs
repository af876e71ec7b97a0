using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.Tickets.TicketSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>Given(events) / When(command, at) / Then(events) for the supervision ticket (督办单).</summary>
public sealed class TicketDeciderTests
{
    [Fact]
    public void A_red_clock_raises_a_written_ticket_due_in_five_working_days_with_an_explanation()
    {
        var f = New();
        var raised = Assert.IsType<TicketRaised>(Assert.Single(f.Ok(Raise(), At("2025-09-10"))));

        Assert.Equal(SupervisionForm.Written, raised.Form);
        Assert.Equal(D("2025-09-17"), raised.Response.DueDate); // Wed 09-10 + 5 working days
        Assert.Equal(At("2025-09-18 00:00"), raised.Response.DueInstant);
        Assert.Equal(At("2025-09-17 00:00"), raised.Response.ReminderAt); // one working day left
        var explanation = LegalDays.Compute(raised.Response.Request()).Explanation;
        Assert.Equal(SupervisionPolicy.Article40, explanation.Article);
        Assert.Equal(TicketStatus.Open, f.State.Status);
        Assert.Contains(f.Messages<RecordTicket>(), m => m.TicketId == TicketId);
    }

    [Fact]
    public void The_response_limit_is_configurable_per_form()
    {
        var decider = new TicketDecider(LegalDays, OrgDemo, SupervisionPolicy.Default.WithResponseDays(SupervisionForm.Written, 10));
        var d = decider.Decide(decider.Initial, Raise(), new DecisionContext(TicketId, "m", At("2025-09-26"), "t"));
        // Fri 09-26 + 10 working days counts Sun 09-28 and Sat 10-11 (make-up days) and skips the National Day holiday → 10-16.
        Assert.Equal(D("2025-10-16"), Assert.IsType<TicketRaised>(Assert.Single(d.Events)).Response.DueDate);
        Assert.Throws<Supervision.Domain.Org.DataValidationException>(() => SupervisionPolicy.Default.WithResponseDays(SupervisionForm.Interview, 0));
    }

    [Fact]
    public void A_supervisor_raises_the_judgement_grounds_but_not_the_clock_grounds_and_the_system_not_the_judgement_ones()
    {
        New().Ok(Raise(SupervisionGround.Stalling, actor: Supervisor), At("2025-09-10"));
        New().Ok(Raise(SupervisionGround.DissatisfiedFollowUpFault, actor: Supervisor), At("2025-09-10"));
        Assert.Contains("clock", New().Refused(Raise(SupervisionGround.Overdue, actor: Supervisor), At("2025-09-10"), RejectionKind.Forbidden).Reason, StringComparison.Ordinal);
        New().Refused(Raise(SupervisionGround.FakedResults), At("2025-09-10"), RejectionKind.Forbidden);
        New().Refused(Raise(SupervisionGround.Shifting, actor: "cb-supervisor"), At("2025-09-10"), RejectionKind.Forbidden); // another county's bureau
        New().Refused(Raise(form: SupervisionForm.ConferenceReferral), At("2025-09-10"), RejectionKind.Validation);
    }

    [Fact]
    public void Acknowledge_respond_accept_closes_the_ticket_and_stops_its_timers()
    {
        var f = Raised();
        Assert.IsType<TicketAcknowledged>(Assert.Single(f.Ok(new AcknowledgeTicket(Officer), At("2025-09-11"))));
        var responded = Assert.IsType<TicketResponded>(Assert.Single(f.Ok(new RespondToTicket(Head, "已处理", [FileRef]), At("2025-09-12"))));
        Assert.False(responded.Late);
        Assert.Empty(Ticket.Timers(f.State));
        Assert.Contains(f.Alerts, a => a.Kind == "ticket.responded" && Audience(a).SetEquals([("supervisor", Bureau)]));

        f.Ok(new AcceptResponse(Supervisor, "同意"), At("2025-09-15"));
        Assert.Equal((TicketStatus.Closed, TicketCloseReason.ResponseAccepted), (f.State.Status, f.State.CloseReason));
    }

    [Fact]
    public void A_response_after_the_deadline_is_marked_late_and_files_must_carry_a_hash()
    {
        var f = Raised();
        f.Refused(new RespondToTicket(Officer, "已处理", ["report.pdf"]), At("2025-09-12"), RejectionKind.Validation);
        f.Refused(new RespondToTicket("ca-land-officer", "已处理", [FileRef]), At("2025-09-12"), RejectionKind.Forbidden);
        Assert.True(Assert.IsType<TicketResponded>(Assert.Single(f.Ok(new RespondToTicket(Officer, "已处理", [FileRef]), At("2025-09-18 08:00")))).Late);
    }

    [Fact]
    public void A_rejected_response_escalates_one_form_with_the_new_deadline_and_reopens_the_ticket()
    {
        var f = Responded();
        var events = f.Ok(new RejectResponse(Supervisor, "未附整改材料", D("2025-09-30")), At("2025-09-15"));

        Assert.IsType<TicketResponseRejected>(events[0]);
        var up = Assert.IsType<TicketEscalated>(events[1]);
        Assert.Equal((SupervisionForm.Written, SupervisionForm.Interview, EscalationCause.ResponseRejected), (up.From, up.To, up.Cause));
        Assert.Equal((D("2025-09-30"), 2), (up.Response.DueDate, up.Response.Generation));
        Assert.Equal(TicketStatus.Open, f.State.Status);
        Assert.Equal(["response:remind", "response:due"], Ticket.Timers(f.State).Select(t => t.Key));
        f.Refused(new RejectResponse(Supervisor, "x", D("2025-09-15")), At("2025-09-16"), RejectionKind.InvalidTransition); // not responded now
    }

    [Fact]
    public void Case_closed_closes_an_open_ticket_and_nothing_is_owed_any_more()
    {
        var f = Raised();
        f.Refused(new CloseTicket(Officer), At("2025-09-12"), RejectionKind.Forbidden); // only the case closes a ticket this way
        f.Ok(new CloseTicket(Actors.System), At("2025-09-12"));
        Assert.Equal((TicketStatus.Closed, TicketCloseReason.CaseClosed), (f.State.Status, f.State.CloseReason));
        Assert.Empty(Ticket.Timers(f.State));
        Assert.Equal(false, f.Effects.OfType<UpsertReadModel>().Single().Values[TicketRow.Open]);
        Assert.Empty(f.Do(new CloseTicket(Actors.System), At("2025-09-13")).Events);
    }

    [Fact]
    public void The_read_model_row_sits_in_the_agency_partition_with_the_sequence_as_version()
    {
        var f = Raised();
        var row = Assert.Single(f.Effects.OfType<UpsertReadModel>());
        Assert.Equal((TicketRow.Model, Agency, TicketId, 1L), (row.Model, row.PartitionKey, row.RowKey, row.Version));
        Assert.Equal("Written", row.Values[TicketRow.Form]);
        Assert.Equal("2025-09-17", row.Values[TicketRow.DueDate]);
        Assert.Equal(Bureau, row.Values[TicketRow.BureauId]);
        Assert.Equal(Conference, row.Values[TicketRow.ConferenceOfficeId]);
        Assert.DoesNotContain(row.Values.Values.OfType<string>(), v => v.Contains("张三", StringComparison.Ordinal));
    }
}
