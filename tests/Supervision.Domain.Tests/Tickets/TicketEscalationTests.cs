using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;
using static Supervision.Domain.Tests.Tickets.TicketSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>The ladder: an unanswered ticket climbs one form per missed deadline, each step alerting one level higher.</summary>
public sealed class TicketEscalationTests
{
    private static readonly HashSet<(string, string)> Staff = [("handling-officer", Agency), ("agency-head", Agency)];

    [Fact]
    public void A_reminder_goes_to_the_agency_one_working_day_before_the_deadline()
    {
        var f = Raised();
        var reminder = Assert.IsType<TicketReminderSent>(Assert.Single(f.Fire("response:remind").Events));
        Assert.Equal(D("2025-09-17"), reminder.DueDate);
        var alert = Assert.Single(f.Alerts);
        Assert.Equal(("ticket.reminder", AlertUrgency.Routine), (alert.Kind, alert.Urgency));
        Assert.True(Audience(alert).SetEquals(Staff));
        Assert.Equal(["response:due"], Ticket.Timers(f.State).Select(t => t.Key));
    }

    [Fact]
    public void Each_unanswered_deadline_escalates_one_form_with_a_new_deadline_and_a_wider_audience()
    {
        var f = Raised(SupervisionForm.Reminder);
        Assert.True(Audience(Assert.Single(f.Alerts)).SetEquals(Staff)); // 催办: the agency only

        var expected = new (SupervisionForm Form, HashSet<(string, string)> Audience)[]
        {
            (SupervisionForm.Written, [.. Staff, ("supervisor", Bureau)]),
            (SupervisionForm.Interview, [.. Staff, ("supervisor", Bureau), ("leader", Government)]),
            (SupervisionForm.OnSite, [.. Staff, ("supervisor", Bureau), ("leader", Government)]),
            (SupervisionForm.ConferenceReferral, [.. Staff, ("supervisor", Bureau), ("leader", Government), ("conference-staff", Conference)]),
        };
        var generation = 1;
        foreach (var (form, audience) in expected)
        {
            var dueBefore = f.State.Response!.DueInstant;
            var up = Assert.IsType<TicketEscalated>(Assert.Single(f.Fire("response:due").Events));
            Assert.Equal((form, EscalationCause.Unanswered, ++generation), (up.To, up.Cause, up.Response.Generation));
            Assert.True(up.Response.DueInstant > dueBefore);
            var alert = Assert.Single(f.Alerts);
            Assert.Equal(("ticket.escalated", AlertUrgency.Urgent), (alert.Kind, alert.Urgency));
            Assert.True(Audience(alert).SetEquals(audience), $"{form}: {string.Join(", ", Audience(alert))}");
        }

        // At the top there is nothing higher: the miss is recorded once and alerts the conference office again.
        Assert.IsType<TicketDeadlineMissed>(Assert.Single(f.Fire("response:due").Events));
        Assert.Contains(("conference-staff", Conference), Audience(Assert.Single(f.Alerts)));
        Assert.Empty(Ticket.Timers(f.State));
        Assert.Equal(4, f.State.Escalations);
    }

    [Fact]
    public void A_firing_for_an_older_generation_or_before_its_time_yields_nothing()
    {
        var f = Raised();
        var old = f.Timer("response:due");
        f.Fire("response:due"); // generation 2 now
        var stale = Ticket.Decide(f.State, Ticket.OnTimer(new TimerFired(old.Key, old.Generation, old.DueAt)), new DecisionContext(TicketId, "m", old.DueAt, "system"));
        Assert.False(stale.IsRejected);
        Assert.Empty(stale.Events);

        var current = f.Timer("response:due");
        var early = Ticket.Decide(f.State, new TicketTimerElapsed("system", current.Key, current.Generation), new DecisionContext(TicketId, "m", current.DueAt - NodaTime.Duration.FromHours(1), "system"));
        Assert.Empty(early.Events);
    }

    [Fact]
    public void A_responded_ticket_does_not_escalate_when_the_old_deadline_passes()
    {
        var f = Raised();
        var due = f.Timer("response:due");
        f.Ok(new RespondToTicket(Officer, "已处理", [FileRef]), At("2025-09-12"));
        Assert.Empty(f.Do(new TicketTimerElapsed("system", due.Key, due.Generation), due.DueAt).Events);
        Assert.Equal(SupervisionForm.Written, f.State.Form);
    }
}
