using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Reception;
using Supervision.Domain.Tests.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Reception;

/// <summary>Given/When/Then for the reminder of a booked reception slot (decision R13).</summary>
public sealed class AppointmentDeciderTests
{
    private const string Leader = "c-leader";
    private static readonly string Id = AppointmentDecider.InstanceId("JF-c-leader-2025-09-12", 2);
    private static readonly Instant Slot = At("2025-09-12 09:30");
    private static readonly AppointmentDecider Decider = new(OrgDirectory.Demo, ReceptionPolicy.Default);

    private static BookAppointment Book(Category? category = null, string? accusedUnit = null, string? accusedPerson = null) =>
        new(Actors.System, "XF-1", Leader, Slot, "市信访局接待大厅", "petitioner", "c-bureau", "ca-bureau", category, accusedUnit, accusedPerson);

    private static Flow<AppointmentState, AppointmentCommand, AppointmentEvent> New() => new(Decider, Id);

    private static List<Alert> Remind(Flow<AppointmentState, AppointmentCommand, AppointmentEvent> f)
    {
        f.Fire("remind");
        return [.. f.Alerts];
    }

    [Fact]
    public void The_instance_id_is_the_day_and_the_two_digit_slot()
    {
        Assert.Equal("JF-c-leader-2025-09-12-02", Id);
        Assert.Equal("reception", Decider.TypeName);
    }

    [Fact]
    public void A_booking_two_days_ahead_reminds_the_leader_and_both_bureaus_registrars_24_hours_before_the_slot()
    {
        var f = New();
        f.Ok(Book(), At("2025-09-10 10:00"));

        Assert.Empty(f.Effects); // nothing is said at booking; the API answered the booker
        var timer = Assert.Single(Decider.Timers(f.State));
        Assert.Equal(Slot - Duration.FromHours(24), timer.DueAt);
        Assert.Equal(At("2025-09-11 09:30"), timer.DueAt);

        var alerts = Remind(f);
        Assert.True(f.State.Reminded);
        Assert.Empty(Decider.Timers(f.State));
        Assert.All(alerts, a => Assert.Equal((AlertUrgency.Timed, "XF-1", "reception.reminder"), (a.Urgency, a.CaseId, a.Kind)));
        Assert.Equal(
            [AlertAudience.Person(Leader), new AlertAudience("registrar", "c-bureau"), new AlertAudience("registrar", "ca-bureau")],
            alerts.SelectMany(a => a.To));

        // Case id, time and place only: no petitioner data, and the time is Beijing's.
        Assert.All(alerts, a => Assert.Contains("2025-09-12 09:30", a.Body, StringComparison.Ordinal));
        Assert.All(alerts, a => Assert.Contains("市信访局接待大厅", a.Body, StringComparison.Ordinal));
        Assert.Contains("电话提醒信访人", alerts[1].Body, StringComparison.Ordinal);

        // A repeated wake-up says nothing twice.
        var again = f.Do(Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), timer.DueAt);
        Assert.Empty(again.Events);
    }

    [Fact]
    public void A_booking_less_than_24_hours_ahead_reminds_at_once_and_one_after_the_slot_began_is_refused()
    {
        var late = At("2025-09-12 08:00");
        var f = New();
        f.Ok(Book(), late);
        Assert.Equal(late, Assert.Single(Decider.Timers(f.State)).DueAt);
        Assert.NotEmpty(Remind(f));

        New().Refused(Book(), Slot, RejectionKind.InvalidTransition);
        New().Refused(Book(), Slot + Duration.FromMinutes(5), RejectionKind.InvalidTransition);
        Assert.Empty(Decider.Timers(New().State));
    }

    [Fact]
    public void An_accusation_against_the_city_bureau_keeps_its_registrars_out_of_the_reminder()
    {
        var f = New();
        f.Ok(Book(Category.Accusation, accusedUnit: "c-bureau"), At("2025-09-10"));

        var alerts = Remind(f);
        var audiences = alerts.SelectMany(a => a.To).ToList();
        Assert.DoesNotContain(new AlertAudience("registrar", "c-bureau"), audiences);
        Assert.Equal([AlertAudience.Person(Leader), new AlertAudience("registrar", "ca-bureau")], audiences);
    }

    [Fact]
    public void An_accusation_against_the_leader_never_reminds_the_leader()
    {
        var f = New();
        f.Ok(Book(Category.Accusation, accusedPerson: Leader), At("2025-09-10"));

        var audiences = Remind(f).SelectMany(a => a.To).ToList();
        Assert.DoesNotContain(AlertAudience.Person(Leader), audiences);
        Assert.Equal([new AlertAudience("registrar", "c-bureau"), new AlertAudience("registrar", "ca-bureau")], audiences);
    }

    [Fact]
    public void The_same_booking_again_is_idempotent_and_another_case_in_the_slot_is_refused()
    {
        var f = New();
        f.Ok(Book(), At("2025-09-10"));
        var due = Assert.Single(Decider.Timers(f.State)).DueAt;

        var again = f.Do(Book(), At("2025-09-11"));
        Assert.True(again.Events.Count == 0 && again.Rejection is null);
        Assert.Equal(due, Assert.Single(Decider.Timers(f.State)).DueAt); // the retry does not move the reminder
        Assert.Single(f.History);

        Assert.Contains("XF-1", f.Refused(Book() with { CaseId = "XF-2" }, At("2025-09-11"), RejectionKind.InvalidTransition).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_booking_frees_the_slot_and_its_old_timer_never_reminds_the_next_booking()
    {
        var f = New();
        f.Ok(Book(), At("2025-09-09 10:00"));
        var first = Assert.Single(Decider.Timers(f.State));

        var cancelled = Assert.IsType<AppointmentCancelled>(Assert.Single(f.Ok(new CancelAppointment(Actors.System, "XF-1", "petitioner"), At("2025-09-10 08:00"))));
        Assert.Equal(("XF-1", "petitioner", false), (cancelled.CaseId, cancelled.By, cancelled.WasReminded));
        Assert.Empty(f.Effects); // the leader was never told of it, so there is nothing to take back
        Assert.Empty(Decider.Timers(f.State));
        Assert.Null(f.State.CaseId);

        // Cancelling again is a retry; the slot is free for another case, whose reminder is a new generation.
        var again = f.Do(new CancelAppointment(Actors.System, "XF-1", "petitioner"), At("2025-09-10 08:05"));
        Assert.True(again.Events.Count == 0 && again.Rejection is null);
        f.Ok(Book() with { CaseId = "XF-2" }, At("2025-09-10 09:00"));
        var second = Assert.Single(Decider.Timers(f.State));
        Assert.NotEqual(first.Generation, second.Generation);

        // The first booking's timer, fired late, is stale: no reminder for XF-2 from it.
        var stale = f.Do(Decider.OnTimer(new TimerFired(first.Key, first.Generation, first.DueAt)), first.DueAt);
        Assert.Empty(stale.Events);
        Assert.False(f.State.Reminded);
        Assert.All(Remind(f), a => Assert.Equal("XF-2", a.CaseId));
    }

    [Fact]
    public void Cancelling_after_the_reminder_tells_the_leader_and_a_begun_reception_or_another_case_is_refused()
    {
        var f = New();
        f.Ok(Book(), At("2025-09-10 10:00"));
        Remind(f);

        Assert.Contains("XF-9", f.Refused(new CancelAppointment(Actors.System, "XF-9", "petitioner"), At("2025-09-11 12:00"), RejectionKind.InvalidTransition).Reason, StringComparison.Ordinal);
        Assert.Contains("begun", f.Refused(new CancelAppointment(Actors.System, "XF-1", "petitioner"), Slot, RejectionKind.InvalidTransition).Reason, StringComparison.Ordinal);

        f.Ok(new CancelAppointment(Actors.System, "XF-1", "registrar:c-registrar"), At("2025-09-11 12:00"));
        var told = Assert.Single(f.Alerts);
        Assert.Equal(("reception.cancelled", "XF-1", AlertUrgency.Timed), (told.Kind, told.CaseId, told.Urgency));
        Assert.Equal([AlertAudience.Person(Leader)], told.To);
        Assert.Contains("2025-09-12 09:30", told.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_accusation_against_the_leader_tells_the_leader_nothing()
    {
        var f = New();
        f.Ok(Book(Category.Accusation, accusedPerson: Leader), At("2025-09-10"));
        Remind(f);

        f.Ok(new CancelAppointment(Actors.System, "XF-1", "petitioner"), At("2025-09-11 12:00"));
        Assert.Empty(f.Alerts);
    }

    [Fact]
    public void The_reception_policy_reminds_24_hours_before_and_refuses_a_reminder_outside_1_to_168_hours()
    {
        Assert.Equal(24, ReceptionPolicy.Default.ReminderHoursBefore);
        var json = """{"version":1,"title":"t","article":"a","slotMinutes":30,"maxSlotsPerDay":16,"publishAheadDays":60,"bookingClosesMinutesBefore":60,"reminderHoursBefore":0}""";
        var e = Assert.Throws<DataValidationException>(() => ReceptionPolicy.Parse(json));
        Assert.Contains(e.Errors, m => m.Contains("reminderHoursBefore", StringComparison.Ordinal));
    }
}
