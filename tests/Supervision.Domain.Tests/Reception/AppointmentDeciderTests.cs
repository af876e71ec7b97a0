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
    public void The_reception_policy_reminds_24_hours_before_and_refuses_a_reminder_outside_1_to_168_hours()
    {
        Assert.Equal(24, ReceptionPolicy.Default.ReminderHoursBefore);
        var json = """{"version":1,"title":"t","article":"a","slotMinutes":30,"maxSlotsPerDay":16,"publishAheadDays":60,"bookingClosesMinutesBefore":60,"reminderHoursBefore":0}""";
        var e = Assert.Throws<DataValidationException>(() => ReceptionPolicy.Parse(json));
        Assert.Contains(e.Errors, m => m.Contains("reminderHoursBefore", StringComparison.Ordinal));
    }
}
