using System.Reflection;
using System.Text.Json;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Reception;

/// <summary>
/// The rules of leaders' reception days (领导接访日 / 约访; the issue cites Arts. 7, 9 and 22), as versioned policy data
/// (<c>Reception/Data/reception-v{n}.json</c>), like the deadline policy: slot length, slots per day, how far ahead a
/// day may be published, when booking closes before a slot, and when the leader is reminded. Decision R10.
/// </summary>
public sealed record ReceptionPolicy(
    int Version, string Title, string Article, int SlotMinutes, int MaxSlotsPerDay, int PublishAheadDays, int BookingClosesMinutesBefore,
    int ReminderHoursBefore)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The shipped policy (the latest embedded version).</summary>
    public static ReceptionPolicy Default { get; } = Parse(Read("Supervision.Domain.Reception.Data.reception-v1.json"));

    /// <summary>Parses and validates a policy document; every problem at once in a <see cref="DataValidationException"/>.</summary>
    public static ReceptionPolicy Parse(string json)
    {
        ReceptionPolicy? p;
        try
        {
            p = JsonSerializer.Deserialize<ReceptionPolicy>(json, Json);
        }
        catch (JsonException e)
        {
            throw new DataValidationException("reception policy", [e.Message]);
        }

        var errors = new List<string>();
        if (p is null)
        {
            throw new DataValidationException("reception policy", ["empty document"]);
        }

        if (p.Version < 1)
        {
            errors.Add("version is 1 or more");
        }

        if (p.SlotMinutes is < 10 or > 240)
        {
            errors.Add("slotMinutes is 10 to 240");
        }

        if (p.MaxSlotsPerDay is < 1 or > 48 || p.MaxSlotsPerDay * p.SlotMinutes > 24 * 60)
        {
            errors.Add("maxSlotsPerDay is 1 to 48 and fits in a day");
        }

        if (p.PublishAheadDays is < 1 or > 366)
        {
            errors.Add("publishAheadDays is 1 to 366");
        }

        if (p.BookingClosesMinutesBefore is < 0 or > 7 * 24 * 60)
        {
            errors.Add("bookingClosesMinutesBefore is 0 to 10080");
        }

        if (p.ReminderHoursBefore is < 1 or > 168)
        {
            errors.Add("reminderHoursBefore is 1 to 168");
        }

        if (string.IsNullOrWhiteSpace(p.Title) || string.IsNullOrWhiteSpace(p.Article))
        {
            errors.Add("title and article are required");
        }

        return errors.Count > 0 ? throw new DataValidationException("reception policy", errors) : p;
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A published reception day (接访日): one leader, one date, one place, numbered slots of the policy's length.</summary>
/// <param name="Id">Deterministic: <c>JF-{leaderId}-{date}</c> (one day per leader and date).</param>
/// <param name="LeaderUnitId">The government or Party committee the leader receives for.</param>
/// <param name="BureauId">The petition bureau of the leader's level, which publishes the day and books at the counter.</param>
public sealed record ReceptionDay(
    string Id, string LeaderId, string LeaderName, string LeaderUnitId, string BureauId, LocalDate Date, string Place, LocalTime Start, int Slots,
    int SlotMinutes, int PolicyVersion)
{
    /// <summary>When slot <paramref name="slot"/> (1-based) begins, Asia/Shanghai.</summary>
    public Instant SlotStart(int slot) =>
        (Date + Start).PlusMinutes((long)(slot - 1) * SlotMinutes).InZoneLeniently(LegalCalendar.Zone).ToInstant();

    public string SlotTime(int slot) => (Start + Period.FromMinutes((long)(slot - 1) * SlotMinutes)).ToString("HH:mm", null);
}

/// <summary>Why a reception step is refused: the HTTP status it maps to and a reason a person can act on.</summary>
public enum ReceptionRefusal
{
    Invalid,
    Forbidden,
    Conflict,
}

/// <summary>
/// The pure rules of publishing a reception day and booking a slot for a case (decisions R10–R12). The table that holds
/// days and bookings is the API's; the legal step of a reception (包案, <see cref="TakeOwnership"/>) is the case's.
/// </summary>
public static class ReceptionRules
{
    public const int MaxPlace = 200;

    public static string DayId(string leaderId, LocalDate date) => $"JF-{leaderId}-{date:uuuu-MM-dd}";

    /// <summary>
    /// A day <paramref name="actor"/> may publish: a registrar or supervisor of the petition bureau of the leader's level.
    /// Field problems name the JSON field; a wrong role is <see cref="ReceptionRefusal.Forbidden"/>.
    /// </summary>
    public static (ReceptionDay? Day, ReceptionRefusal? Refusal, string? Reason, IReadOnlyList<FieldError> Errors) Publish(
        OrgDirectory org, ReceptionPolicy policy, string actor, string? leaderId, LocalDate? date, string? place, LocalTime? start, int? slots, Instant now)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<FieldError>();
        var leader = leaderId is null ? null : org.PersonById(leaderId);
        var grant = leader?.Roles.FirstOrDefault(r => r.Role == Role.Leader);
        if (leader is null || grant is null)
        {
            errors.Add(new FieldError("leaderId", "leaderId names a leader (领导) in the org directory"));
        }

        var today = LegalCalendar.LocalDateOf(now);
        if (date is not { } d)
        {
            errors.Add(new FieldError("date", "date is required (yyyy-MM-dd)"));
        }
        else if (d < today || d > today.PlusDays(policy.PublishAheadDays))
        {
            errors.Add(new FieldError("date", $"date is today or a later day within {policy.PublishAheadDays} days"));
        }

        if (string.IsNullOrWhiteSpace(place) || place.Length > MaxPlace)
        {
            errors.Add(new FieldError("place", $"place is required, at most {MaxPlace} characters"));
        }

        if (start is null)
        {
            errors.Add(new FieldError("start", "start is required (HH:mm)"));
        }

        if (slots is not { } n || n < 1 || n > policy.MaxSlotsPerDay)
        {
            errors.Add(new FieldError("slots", $"slots is 1 to {policy.MaxSlotsPerDay} ({policy.SlotMinutes} minutes each, reception policy v{policy.Version})"));
        }
        else if (start is { } st && st.PlusMinutes((long)n * policy.SlotMinutes) < st)
        {
            errors.Add(new FieldError("slots", "the slots run past midnight"));
        }

        if (errors.Count > 0)
        {
            return (null, ReceptionRefusal.Invalid, "the reception day is not valid", errors);
        }

        var bureau = org.GovernmentOf(grant!.Unit) is { } government ? org.PetitionBureauOf(government.Id) : null;
        if (bureau is null || !(org.HasRole(actor, Role.Registrar, bureau.Id) || org.HasRole(actor, Role.Supervisor, bureau.Id)))
        {
            return (null, ReceptionRefusal.Forbidden,
                $"only a registrar or supervisor of {bureau?.Name ?? "the petition bureau of the leader's level"} publishes this leader's reception days", []);
        }

        var day = new ReceptionDay(
            DayId(leader!.Id, date!.Value), leader.Id, leader.Name, grant.Unit, bureau.Id, date.Value, place!.Trim(), start!.Value, slots!.Value,
            policy.SlotMinutes, policy.Version);
        return (day, null, null, []);
    }

    /// <summary>
    /// May this case be received at <paramref name="slot"/> of <paramref name="day"/>? The case is open, the slot exists and is
    /// not closed for booking, the leader is over the case's units, and (accusation guard, Arts. 30, 46) never a leader of
    /// the accused unit. Null when it may; whether the slot is still free is the store's conditional insert.
    /// </summary>
    public static (ReceptionRefusal Refusal, string Field, string Reason)? Book(
        OrgDirectory org, ReceptionPolicy policy, ReceptionDay day, int slot, CaseState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(day);
        ArgumentNullException.ThrowIfNull(state);
        if (slot < 1 || slot > day.Slots)
        {
            return (ReceptionRefusal.Invalid, "slot", $"slot is 1 to {day.Slots}");
        }

        if (now >= day.SlotStart(slot) - Duration.FromMinutes(policy.BookingClosesMinutesBefore))
        {
            return (ReceptionRefusal.Conflict, "slot", $"booking for {day.Date:uuuu-MM-dd} {day.SlotTime(slot)} closed {policy.BookingClosesMinutesBefore} minutes before it; choose a later slot or day");
        }

        if (!state.IsOpen)
        {
            return (ReceptionRefusal.Conflict, "caseId", "the case is no longer open (final, closed or left the petition track): a reception cannot be booked for it");
        }

        if (AccusationGuard.ExcludesPerson(org, state, day.LeaderId))
        {
            return (ReceptionRefusal.Forbidden, "caseId", "this leader cannot receive this case (the accusation concerns their unit, Arts. 30, 46); choose another leader's reception day");
        }

        return CaseDecider.OwnershipUnitOf(org, day.LeaderId, state) is null
            ? (ReceptionRefusal.Forbidden, "caseId", $"{day.LeaderName} receives cases of {org.Unit(day.LeaderUnitId)?.Name ?? day.LeaderUnitId} and the units under it; this case is not among them")
            : null;
    }
}
