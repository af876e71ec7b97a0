using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Domain.Reception;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>The pure rules of reception days (R10–R12): policy data, who publishes, and which case a leader may receive when.</summary>
public sealed class ReceptionRulesTests
{
    private static readonly ReceptionPolicy Policy = ReceptionPolicy.Default;

    private static ReceptionDay Day(string at = "2025-09-10") =>
        ReceptionRules.Publish(OrgDemo, Policy, "c-registrar", CityLeader, D("2025-09-12"), "市信访局接待大厅", new LocalTime(9, 0), 4, At(at)).Day!;

    [Fact]
    public void The_shipped_policy_is_version_1_with_30_minute_slots_and_a_bad_document_lists_every_problem()
    {
        Assert.Equal((1, 30, 16, 60), (Policy.Version, Policy.SlotMinutes, Policy.MaxSlotsPerDay, Policy.BookingClosesMinutesBefore));
        var bad = Assert.Throws<DataValidationException>(() => ReceptionPolicy.Parse(
            """{"version":0,"title":"x","article":"y","slotMinutes":5,"maxSlotsPerDay":100,"publishAheadDays":1,"bookingClosesMinutesBefore":0,"reminderHoursBefore":0}"""));
        Assert.Equal(4, bad.Errors.Count);
    }

    [Fact]
    public void The_bureau_of_the_leaders_level_publishes_numbered_slots_of_the_policy_length()
    {
        var day = Day();
        Assert.Equal(("JF-c-leader-2025-09-12", "郑国栋", "c-gov", "c-bureau"), (day.Id, day.LeaderName, day.LeaderUnitId, day.BureauId));
        Assert.Equal("09:30", day.SlotTime(2));
        Assert.Equal(At("2025-09-12 09:30"), day.SlotStart(2));

        // Another level's registrar may not; a day in the past, too many slots and a non-leader are field errors.
        Assert.Equal(ReceptionRefusal.Forbidden, ReceptionRules.Publish(OrgDemo, Policy, "ca-registrar", CityLeader, D("2025-09-12"), "x", new LocalTime(9, 0), 4, At("2025-09-10")).Refusal);
        var invalid = ReceptionRules.Publish(OrgDemo, Policy, "c-registrar", Officer, D("2025-09-01"), " ", new LocalTime(9, 0), 17, At("2025-09-10"));
        Assert.Equal(["date", "leaderId", "place", "slots"], invalid.Errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void A_slot_is_bookable_for_an_open_case_under_the_leader_until_booking_closes()
    {
        var day = Day();
        var open = Fold(Run(Accepted));
        Assert.Null(ReceptionRules.Book(OrgDemo, Policy, day, 2, open, At("2025-09-11")));
        Assert.Equal(ReceptionRefusal.Invalid, ReceptionRules.Book(OrgDemo, Policy, day, 5, open, At("2025-09-11"))!.Value.Refusal);

        // Booking closes an hour (policy) before the slot begins.
        Assert.Null(ReceptionRules.Book(OrgDemo, Policy, day, 2, open, At("2025-09-12 08:29")));
        Assert.Equal(ReceptionRefusal.Conflict, ReceptionRules.Book(OrgDemo, Policy, day, 2, open, At("2025-09-12 08:30"))!.Value.Refusal);

        // A final case; a leader of another county; a leader of the accused unit (Arts. 30, 46).
        var final = ReceptionRules.Book(OrgDemo, Policy, day with { Date = D("2025-12-20") }, 2, Fold(Run(Final)), At("2025-12-03"))!.Value;
        Assert.Equal((ReceptionRefusal.Conflict, "caseId"), (final.Refusal, final.Field));
        var county = day with { LeaderId = "cb-leader", LeaderName = "cb", LeaderUnitId = "cb-gov" };
        Assert.Equal(ReceptionRefusal.Forbidden, ReceptionRules.Book(OrgDemo, Policy, county, 2, open, At("2025-09-11"))!.Value.Refusal);
        var accusation = Fold(Run((Register("2025-09-10", Category.Accusation) with { AccusedUnitId = "ca-gov" }, "2025-09-10")));
        var countyA = day with { LeaderId = "ca-leader", LeaderName = "ca", LeaderUnitId = "ca-gov" };
        Assert.Equal(ReceptionRefusal.Forbidden, ReceptionRules.Book(OrgDemo, Policy, countyA, 2, accusation, At("2025-09-11"))!.Value.Refusal);
        Assert.Null(ReceptionRules.Book(OrgDemo, Policy, day, 2, accusation, At("2025-09-11")));
    }
}
